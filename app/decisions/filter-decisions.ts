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
