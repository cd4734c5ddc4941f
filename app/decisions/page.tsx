import { Suspense } from 'react';
import { DecisionsView } from './decisions-view';

export default function DecisionsPage() {
  return (
    <Suspense>
      <DecisionsView />
    </Suspense>
  );
}
