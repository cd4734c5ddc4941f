// Walks a user's deferred queue page by page for a redelivery, oldest first. Items a client took
// leave the queue; items it did not take stay and are not offered twice in one pass.
import { DEFERRED_PAGE, type EffectStore, type PendingDeferred } from './effect-store';

export async function drainQueue(
  store: EffectStore,
  aor: string,
  now: () => number,
  kind: PendingDeferred['item']['kind'],
  deliver: (page: PendingDeferred[]) => Promise<void>,
): Promise<void> {
  const offered = new Set<string>();
  for (;;) {
    const page = await store.pendingDeferred(aor, now(), DEFERRED_PAGE);
    const fresh = page.filter((p) => !offered.has(p.id));
    const mine = fresh.filter((p) => p.item.kind === kind);
    for (const p of fresh) offered.add(p.id);
    if (mine.length) await deliver(mine);
    // A short page is the end of the queue; a page of nothing new means the rest was refused.
    if (page.length < DEFERRED_PAGE || fresh.length === 0) return;
  }
}
