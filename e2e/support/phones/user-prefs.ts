// A served user's CPM preference, set as an operator does on the console's Users page: the
// seeded users have no rules, which reads as "no deferral" (PREF-1c).
import type { Pf } from '../../../server/pf';
import { upsertPolicyRule } from '../../../server/store/user-prefs';
import { requireUserId } from '../../../server/store/users';

export async function allowDeferral(pf: Pf, aor: string): Promise<void> {
  await upsertPolicyRule(pf.db.store, await requireUserId(pf.db.store, aor), { ruleId: 'cpm-defer', serviceEnablers: ['CPM'], allowDefer: true }, 'phone-test');
  await pf.policyChanged(aor);
}
