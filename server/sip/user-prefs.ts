// A served user's CPM preferences (SPEC §11.6) from the rules stored for them: rules whose
// service list names the CPM enabler apply, and their boolean actions are OR-combined (RFC 4745).
// In the embedded deployment the database is the XDMS: no rule at all reads as PREF-1c (all false).
import type { UserPrefs } from '../engine/model';
import type { Db } from '../store/database';

export async function loadUserPrefs(db: Db, userId: string): Promise<UserPrefs> {
  const rules = await db.policyRule.findMany({ where: { userId } });
  const cpm = rules.filter((r) => r.serviceEnablers.split(',').some((e) => e.trim().toUpperCase() === 'CPM'));
  return {
    allowOfflineStorage: cpm.some((r) => r.allowOfflineStorage === true),
    allowStore: cpm.some((r) => r.allowStore === true),
    allowDefer: cpm.some((r) => r.allowDefer === true),
    hasCpmOfflineStorageRule: cpm.some((r) => r.allowOfflineStorage === true),
    source: 'XDMS',
  };
}
