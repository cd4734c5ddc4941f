// The service-provider policy (SPEC §2): stored as overrides of the spec defaults by the store
// (server/store/provider-policy.ts), validated by the engine's validatePolicy.
import type { Policy } from '../../engine/policy';
import { validatePolicy } from '../../engine/policy-validate';
import type { Db } from '../../store/database';
import type { AlsoAudit } from '../../store/audit';
import { loadProviderPolicyOverrides, saveProviderPolicy as storeSave } from '../../store/provider-policy';
import { badRequest } from '../http-error';

export interface StoredPolicy {
  policy: Policy | null;
  overrides: Record<string, unknown>;
  /** set when the stored overrides do not validate (written by another version) */
  problem: string | null;
}

export async function readProviderPolicy(db: Db): Promise<StoredPolicy> {
  const overrides = (await loadProviderPolicyOverrides(db)) as Record<string, unknown>;
  const v = validatePolicy(overrides);
  return v.ok
    ? { policy: v.policy, overrides, problem: null }
    : { policy: null, overrides, problem: v.errors.map((e) => e.message).join('; ') };
}

export async function saveProviderPolicy(db: Db, input: unknown, actor: string, opts: { alsoAudit?: AlsoAudit } = {}): Promise<StoredPolicy> {
  const r = await storeSave(db, input, actor, opts);
  if (!r.ok) {
    const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : '';
    throw badRequest(`${r.errors[0]?.message ?? 'the policy is not valid'}${more}`, r.errors);
  }
  return { policy: r.policy, overrides: r.overrides as Record<string, unknown>, problem: null };
}
