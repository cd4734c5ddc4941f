// A served user's CPM preference rules (SPEC §11.6) and the effective UserPrefs they give.
// In the embedded deployment the database plays the XDMS: the rows are the user's document, so
// a user without rows reads as PREF-1c (the XDMS answered 404: all false, source XDMS).
import type { UserPrefs } from '../engine/model';
import { writeAudit, type AlsoAudit } from './audit';
import type { Db } from './database';

export interface PolicyRuleInput {
  ruleId: string;
  /** the <service enabler="…"> values of the rule's conditions */
  serviceEnablers: string[];
  allowOfflineStorage?: boolean | null;
  allowStore?: boolean | null;
  allowDefer?: boolean | null;
}

export interface PolicyRuleRecord extends Required<PolicyRuleInput> {
  updatedAt: Date;
}

const CPM = 'CPM';

/** 8.4.1 evaluated for CPM: rules naming the CPM enabler apply; boolean actions are OR-combined (RFC 4745). */
export function effectivePrefs(rules: PolicyRuleInput[]): UserPrefs {
  const cpm = rules.filter((r) => r.serviceEnablers.some((e) => e.trim().toUpperCase() === CPM));
  const any = (k: 'allowOfflineStorage' | 'allowStore' | 'allowDefer') => cpm.some((r) => r[k] === true);
  return {
    allowOfflineStorage: any('allowOfflineStorage'),
    allowStore: any('allowStore'),
    allowDefer: any('allowDefer'),
    // SPEC §1: a CPM rule whose actions hold <allow-offline-storage>true
    hasCpmOfflineStorageRule: any('allowOfflineStorage'),
    source: 'XDMS',
  };
}

function fromRow(r: { ruleId: string; serviceEnablers: string; allowOfflineStorage: boolean | null; allowStore: boolean | null; allowDefer: boolean | null; updatedAt: Date }): PolicyRuleRecord {
  return {
    ruleId: r.ruleId,
    serviceEnablers: r.serviceEnablers.split(',').map((s) => s.trim()).filter(Boolean),
    allowOfflineStorage: r.allowOfflineStorage,
    allowStore: r.allowStore,
    allowDefer: r.allowDefer,
    updatedAt: r.updatedAt,
  };
}

/** Audit shape: what an operator reads, without timestamps that would make before/after differ. */
const auditShape = (rules: PolicyRuleInput[]) =>
  rules.map((r) => ({ ruleId: r.ruleId, serviceEnablers: r.serviceEnablers, allowOfflineStorage: r.allowOfflineStorage ?? null, allowStore: r.allowStore ?? null, allowDefer: r.allowDefer ?? null }));

export async function listPolicyRules(db: Db, userId: string): Promise<PolicyRuleRecord[]> {
  const rows = await db.policyRule.findMany({ where: { userId }, orderBy: { ruleId: 'asc' } });
  return rows.map(fromRow);
}

export async function loadUserPrefs(db: Db, userId: string): Promise<UserPrefs> {
  return effectivePrefs(await listPolicyRules(db, userId));
}

function checkRules(rules: PolicyRuleInput[]): void {
  const seen = new Set<string>();
  for (const r of rules) {
    if (!r.ruleId.trim()) throw new Error('every rule needs a non-empty ruleId');
    if (seen.has(r.ruleId)) throw new Error(`rule ${r.ruleId} appears twice`);
    seen.add(r.ruleId);
    if (r.serviceEnablers.some((e) => e.includes(','))) throw new Error(`rule ${r.ruleId}: a service enabler cannot contain a comma`);
  }
}

/**
 * Replaces the user's whole rule set (the XDMS document) in one transaction with its audit entry
 * (action policy.rules.replace, target user:<id>). Returns the effective prefs after the change.
 */
export async function replacePolicyRules(db: Db, userId: string, rules: PolicyRuleInput[], actor: string): Promise<UserPrefs> {
  checkRules(rules);
  await db.$transaction(async (tx) => {
    const before = (await tx.policyRule.findMany({ where: { userId }, orderBy: { ruleId: 'asc' } })).map(fromRow);
    await tx.policyRule.deleteMany({ where: { userId } });
    for (const r of rules) {
      await tx.policyRule.create({
        data: {
          userId,
          ruleId: r.ruleId,
          serviceEnablers: r.serviceEnablers.map((s) => s.trim()).join(','),
          allowOfflineStorage: r.allowOfflineStorage ?? null,
          allowStore: r.allowStore ?? null,
          allowDefer: r.allowDefer ?? null,
        },
      });
    }
    const sorted = [...rules].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    await writeAudit(tx, { actor, action: 'policy.rules.replace', target: `user:${userId}`, before: auditShape(before), after: auditShape(sorted) });
  });
  return effectivePrefs(rules);
}

/** Creates or changes one rule, audited (policy.rule.upsert). */
export async function upsertPolicyRule(db: Db, userId: string, rule: PolicyRuleInput, actor: string, opts: { alsoAudit?: AlsoAudit } = {}): Promise<UserPrefs> {
  checkRules([rule]);
  await db.$transaction(async (tx) => {
    const old = await tx.policyRule.findUnique({ where: { userId_ruleId: { userId, ruleId: rule.ruleId } } });
    const data = {
      serviceEnablers: rule.serviceEnablers.map((s) => s.trim()).join(','),
      allowOfflineStorage: rule.allowOfflineStorage ?? null,
      allowStore: rule.allowStore ?? null,
      allowDefer: rule.allowDefer ?? null,
    };
    await tx.policyRule.upsert({ where: { userId_ruleId: { userId, ruleId: rule.ruleId } }, create: { userId, ruleId: rule.ruleId, ...data }, update: data });
    await writeAudit(tx, {
      actor,
      action: 'policy.rule.upsert',
      target: `user:${userId}`,
      before: old ? auditShape([fromRow(old)])[0] : null,
      after: auditShape([rule])[0],
    });
    if (opts.alsoAudit) await writeAudit(tx, { actor, target: `user:${userId}`, ...opts.alsoAudit });
  });
  return loadUserPrefs(db, userId);
}

/** Removes one rule, audited (policy.rule.delete). Returns false when there was no such rule. */
export async function deletePolicyRule(db: Db, userId: string, ruleId: string, actor: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const old = await tx.policyRule.findUnique({ where: { userId_ruleId: { userId, ruleId } } });
    if (!old) return false;
    await tx.policyRule.delete({ where: { id: old.id } });
    await writeAudit(tx, { actor, action: 'policy.rule.delete', target: `user:${userId}`, before: auditShape([fromRow(old)])[0], after: null });
    return true;
  });
}
