import { Suspense } from 'react';
import { SessionsView } from './sessions-view';

export default function SessionsPage() {
  return (
    <Suspense>
      <SessionsView />
    </Suspense>
  );
}
