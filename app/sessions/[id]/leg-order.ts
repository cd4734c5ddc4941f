// A leg only moves forward (CONNECTED → TERMINATING → TERMINATED); when a snapshot and a live
// event cross, the one further along is the newer.
import type { LegView } from '../../../server/live/events';

const RANK: Record<string, number> = { CONNECTED: 0, TERMINATING: 1, TERMINATED: 2 };

export function laterLeg(held: LegView | undefined, incoming: LegView): LegView {
  if (!held) return incoming;
  return (RANK[incoming.state] ?? 0) >= (RANK[held.state] ?? 0) ? incoming : held;
}
