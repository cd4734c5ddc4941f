import { Suspense } from 'react';
import { StoreView } from './store-view';

export default function StorePage() {
  return (
    <Suspense>
      <StoreView />
    </Suspense>
  );
}
