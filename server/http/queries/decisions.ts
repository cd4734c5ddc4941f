// Decision log reads the live stream does not cover: the newest page (first load of a long log)
// and filtered search over the whole history. The store's records are what the console shows.
import type { Db } from '../../store/database';
import { newestDecisions, searchDecisions as searchStoredDecisions, type DecisionFilter } from '../../store/decision-search';
import type { DecisionRecord } from '../../live/events';

export type { DecisionFilter };

/** the newest `limit` decisions, oldest first */
export async function decisionsTail(db: Db, limit: number): Promise<DecisionRecord[]> {
  return newestDecisions(db, limit);
}

export async function searchDecisions(db: Db, f: DecisionFilter, limit: number): Promise<{ decisions: DecisionRecord[]; total: number }> {
  return searchStoredDecisions(db, f, limit);
}
