// A user's preference rules (SPEC §11.6 shape): read, validated upsert and delete, each change
// audited in the same transaction as the change itself.
import type { Db } from '../../store/database';
import { badRequest, notFound } from '../http-error';
import { asObject, str, triState } from '../validate';
import { writeAudit } from './audit';

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

function toView(r: { ruleId: string; serviceEnablers: string; allowOfflineStorage: boolean | null; allowStore: boolean | null; allowDefer: boolean | null; updatedAt: Date }): PolicyRuleView {
  return {
    ruleId: r.ruleId,
    serviceEnablers: r.serviceEnablers.split(',').map((s) => s.trim()).filter(Boolean),
    allowOfflineStorage: r.allowOfflineStorage,
    allowStore: r.allowStore,
    allowDefer: r.allowDefer,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export async function rulesOf(db: Db, userId: string): Promise<PolicyRuleView[]> {
  const rows = await db.policyRule.findMany({ where: { userId }, orderBy: { ruleId: 'asc' } });
  return rows.map(toView);
}

/** SPEC §11.6: CPM rules OR-combined; with no rule every value is false (an XDMS 404). */
export function effectivePrefs(rules: PolicyRuleView[]): EffectivePrefs {
  const cpm = rules.filter((r) => r.serviceEnablers.some((e) => e.toUpperCase() === 'CPM'));
  return {
    allowOfflineStorage: cpm.some((r) => r.allowOfflineStorage === true),
    allowStore: cpm.some((r) => r.allowStore === true),
    allowDefer: cpm.some((r) => r.allowDefer === true),
    hasCpmOfflineStorageRule: cpm.some((r) => r.allowOfflineStorage === true),
    cpmRules: cpm.length,
  };
}

export async function saveRule(db: Db, aor: string, input: RuleInput, actor: string): Promise<PolicyRuleView> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { aor }, select: { id: true } });
    if (!user) throw notFound(`${aor} is not a served user`);
    const before = await tx.policyRule.findUnique({ where: { userId_ruleId: { userId: user.id, ruleId: input.ruleId } } });
    const data = {
      serviceEnablers: input.serviceEnablers.join(','),
      allowOfflineStorage: input.allowOfflineStorage,
      allowStore: input.allowStore,
      allowDefer: input.allowDefer,
    };
    const row = await tx.policyRule.upsert({
      where: { userId_ruleId: { userId: user.id, ruleId: input.ruleId } },
      create: { userId: user.id, ruleId: input.ruleId, ...data },
      update: data,
    });
    const view = toView(row);
    const strip = (v: PolicyRuleView | null) => (v ? { ...v, updatedAt: undefined } : null);
    await writeAudit(tx, {
      actor,
      action: before ? 'policy.rule.update' : 'policy.rule.create',
      target: aor,
      before: strip(before ? toView(before) : null),
      after: strip(view),
    });
    return view;
  });
}

export async function deleteRule(db: Db, aor: string, ruleId: string, actor: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { aor }, select: { id: true } });
    if (!user) throw notFound(`${aor} is not a served user`);
    const before = await tx.policyRule.findUnique({ where: { userId_ruleId: { userId: user.id, ruleId } } });
    if (!before) throw notFound(`${aor} has no rule "${ruleId}"`);
    await tx.policyRule.delete({ where: { id: before.id } });
    await writeAudit(tx, { actor, action: 'policy.rule.delete', target: aor, before: { ...toView(before), updatedAt: undefined }, after: null });
  });
}
