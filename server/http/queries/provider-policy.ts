// The service-provider policy (SPEC §2) as stored: one row holding only the values that differ
// from the spec defaults, so a default changed in a later release reaches untouched settings.
import { DEFAULT_POLICY, type Policy } from '../../engine/policy';
import { validatePolicy } from '../../engine/policy-validate';
import type { Db } from '../../store/database';
import { badRequest } from '../http-error';
import { writeAudit } from './audit';

export interface StoredPolicy {
  policy: Policy;
  overrides: Record<string, unknown>;
  updatedAt: string | null;
}

function diff(policy: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(policy)) {
    const d = (DEFAULT_POLICY as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(v) !== JSON.stringify(d)) out[k] = v === undefined ? null : v;
  }
  return out;
}

export async function readProviderPolicy(db: Db): Promise<StoredPolicy> {
  const row = await db.providerPolicy.findUnique({ where: { id: 1 } });
  let overrides: Record<string, unknown> = {};
  try {
    overrides = row ? (JSON.parse(row.values) as Record<string, unknown>) : {};
  } catch {
    overrides = {};
  }
  const v = validatePolicy(overrides);
  return { policy: v.ok ? v.policy : DEFAULT_POLICY, overrides, updatedAt: row?.updatedAt.toISOString() ?? null };
}

export async function saveProviderPolicy(db: Db, input: unknown, actor: string): Promise<StoredPolicy> {
  const v = validatePolicy(input);
  if (!v.ok) {
    const first = v.errors[0];
    const more = v.errors.length > 1 ? ` (and ${v.errors.length - 1} more)` : '';
    throw badRequest(`${first.message}${more}`, v.errors);
  }
  const overrides = diff(v.policy);
  return db.$transaction(async (tx) => {
    const before = await tx.providerPolicy.findUnique({ where: { id: 1 } });
    const values = JSON.stringify(overrides);
    const row = await tx.providerPolicy.upsert({ where: { id: 1 }, create: { id: 1, values }, update: { values } });
    const beforeValues = before ? (JSON.parse(before.values) as Record<string, unknown>) : {};
    const changed = [...new Set([...Object.keys(beforeValues), ...Object.keys(overrides)])].filter(
      (k) => JSON.stringify(beforeValues[k]) !== JSON.stringify(overrides[k]),
    );
    const pick = (o: Record<string, unknown>) => Object.fromEntries(changed.map((k) => [k, o[k] ?? (DEFAULT_POLICY as unknown as Record<string, unknown>)[k] ?? null]));
    if (changed.length > 0) {
      await writeAudit(tx, { actor, action: 'provider-policy.update', target: 'provider-policy', before: pick(beforeValues), after: pick(overrides) });
    }
    return { policy: v.policy, overrides, updatedAt: row.updatedAt.toISOString() };
  });
}
