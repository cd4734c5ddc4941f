// A user's preference rules (SPEC §11.6 shape): input validated here with sentences for the form;
// reads, writes and their audit entries are the store's (server/store/user-prefs.ts).
import type { AlsoAudit } from '../../store/audit';
import type { Db } from '../../store/database';
import { deletePolicyRule, effectivePrefs as storeEffective, listPolicyRules, upsertPolicyRule } from '../../store/user-prefs';
import { badRequest, notFound } from '../http-error';
import { asObject, str, triState } from '../validate';

export interface PolicyRuleView {
  ruleId: string;
  serviceEnablers: string[];
  allowOfflineStorage: boolean | null;
  allowStore: boolean | null;
  allowDefer: boolean | null;
  updatedAt: string;
}

export interface EffectivePrefs {
  allowOfflineStorage: boolean;
  allowStore: boolean;
  allowDefer: boolean;
  hasCpmOfflineStorageRule: boolean;
  /** how many rules name the CPM enabler */
  cpmRules: number;
}

export type RuleInput = Omit<PolicyRuleView, 'updatedAt'>;

const RULE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const ENABLER = /^[A-Za-z0-9_.-]{1,32}$/;

export function parseRuleInput(body: unknown): RuleInput {
  const o = asObject(body);
  const ruleId = str(o, 'ruleId', { max: 64, pattern: RULE_ID, hint: 'may hold letters, digits and . _ : - only' });
  const raw = o.serviceEnablers;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (!list) throw badRequest('serviceEnablers must be a list of service enablers, e.g. CPM');
  const serviceEnablers = [...new Set(list.map((e) => (typeof e === 'string' ? e.trim() : '')).filter(Boolean))];
  if (serviceEnablers.length === 0) throw badRequest('serviceEnablers must name at least one service enabler, e.g. CPM');
  for (const e of serviceEnablers) if (!ENABLER.test(e)) throw badRequest(`service enabler "${e}" may hold letters, digits and . _ - only`);
  const rule = {
    ruleId,
    serviceEnablers,
    allowOfflineStorage: triState(o, 'allowOfflineStorage'),
    allowStore: triState(o, 'allowStore'),
    allowDefer: triState(o, 'allowDefer'),
  };
  if (rule.allowOfflineStorage === null && rule.allowStore === null && rule.allowDefer === null) {
    throw badRequest('a rule must set at least one of allow-offline-storage, allow-store, allow-defer');
  }
  return rule;
}

export async function rulesOf(db: Db, userId: string): Promise<PolicyRuleView[]> {
  return (await listPolicyRules(db, userId)).map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() }));
}

/** SPEC §11.6: CPM rules OR-combined; with no rule every value is false (an XDMS 404). */
export function effectivePrefs(rules: PolicyRuleView[]): EffectivePrefs {
  const p = storeEffective(rules);
  return {
    allowOfflineStorage: p.allowOfflineStorage,
    allowStore: p.allowStore,
    allowDefer: p.allowDefer,
    hasCpmOfflineStorageRule: p.hasCpmOfflineStorageRule,
    cpmRules: rules.filter((r) => r.serviceEnablers.some((e) => e.toUpperCase() === 'CPM')).length,
  };
}

export const auditTargetOf = (userId: string) => `user:${userId}`;

export async function saveRule(db: Db, userId: string, input: RuleInput, actor: string, opts: { alsoAudit?: AlsoAudit } = {}): Promise<void> {
  try {
    await upsertPolicyRule(db, userId, input, actor, opts);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

export async function deleteRule(db: Db, userId: string, ruleId: string, actor: string): Promise<void> {
  if (!(await deletePolicyRule(db, userId, ruleId, actor))) throw notFound(`there is no rule "${ruleId}"`);
}
