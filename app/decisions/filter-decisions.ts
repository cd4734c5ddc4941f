// The decisions page's filters, applied to the live window in the browser.
import type { DecisionRecord } from '../../server/live/events';

export interface DecisionFilters {
  user: string;
  messageId: string;
  disposition: string;
  outcome: string;
  branch: string;
  procedure: string;
}

export const NO_FILTERS: DecisionFilters = { user: '', messageId: '', disposition: '', outcome: '', branch: '', procedure: '' };
export const FILTER_KEYS = Object.keys(NO_FILTERS) as Array<keyof DecisionFilters>;

export function isFiltered(f: DecisionFilters): boolean {
  return FILTER_KEYS.some((k) => f[k] !== '');
}

export function filterDecisions(list: DecisionRecord[], f: DecisionFilters): DecisionRecord[] {
  if (!isFiltered(f)) return list;
  const user = f.user.toLowerCase();
  const msg = f.messageId.toLowerCase();
  const branch = f.branch.toLowerCase();
  return list.filter(
    (d) =>
      (!user || (d.servedUser ?? '').toLowerCase().includes(user)) &&
      (!msg || (d.messageId ?? '').toLowerCase().includes(msg)) &&
      (!f.disposition || d.disposition === f.disposition) &&
      (!f.outcome || d.outcome === f.outcome) &&
      (!f.procedure || d.procedure === f.procedure) &&
      (!branch || d.branch.toLowerCase().startsWith(branch)),
  );
}

/** The live matches and those the whole-log search found, newest first, each decision once. */
export function mergeNewestFirst(live: DecisionRecord[], archived: DecisionRecord[]): DecisionRecord[] {
  const bySeq = new Map<number, DecisionRecord>();
  for (const d of archived) bySeq.set(d.seq, d);
  for (const d of live) bySeq.set(d.seq, d);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

/** The query string of the whole-log search for these filters (the server matches a Message-ID exactly). */
export function searchQuery(f: DecisionFilters, limit: number): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k].trim());
  q.set('limit', String(limit));
  return q.toString();
}
