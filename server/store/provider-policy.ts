// The service-provider policy (SPEC §2): one row holding the values that differ from the spec
// defaults, so a later change of a default reaches every deployment that never overrode it.
import { DEFAULT_POLICY, withPolicy, type Policy, type PolicyOverrides } from '../engine/policy';
import { writeAudit, type AlsoAudit } from './audit';
import type { Db } from './database';

export interface PolicyFieldError {
  field: string;
  message: string;
}

export type PolicySaveResult = { ok: true; policy: Policy; overrides: PolicyOverrides } | { ok: false; errors: PolicyFieldError[] };

type Validator = (input: unknown) => { ok: true; policy: Policy } | { ok: false; errors: PolicyFieldError[] };

// The engine's validator is written in parallel with this file; until it lands, a structural
// check against the defaults stands in. The path is in a variable so type-checking does not
// require the module.
const VALIDATOR_MODULE = '../engine/policy-validate';
let validator: Promise<Validator> | undefined;

function loadValidator(): Promise<Validator> {
  validator ??= import(VALIDATOR_MODULE).then(
    (m: { validatePolicy?: Validator }) => m.validatePolicy ?? structuralCheck,
    () => structuralCheck,
  );
  return validator;
}

/** Every key known, every value of the default's JSON type; nested sections field by field. */
export function structuralCheck(input: unknown): ReturnType<Validator> {
  const errors: PolicyFieldError[] = [];
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  const walk = (value: unknown, defaults: Record<string, unknown>, prefix: string) => {
    if (kind(value) !== 'object') {
      errors.push({ field: prefix, message: `${prefix || 'the policy'} must be an object of settings` });
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const field = prefix ? `${prefix}.${k}` : k;
      if (v === undefined) continue;
      if (!Object.hasOwn(defaults, k)) errors.push({ field, message: `${field} is not a known policy setting` });
      else if (k === 'unmatchedNextHop') {
        if (v !== null && typeof v !== 'string') errors.push({ field, message: `${field} must be a URI or empty` });
      } else if (kind(defaults[k]) === 'object' && k !== 'iariSkipMap') walk(v, defaults[k] as Record<string, unknown>, field);
      else if (kind(v) !== kind(defaults[k])) errors.push({ field, message: `${field} must be of type ${kind(defaults[k])}` });
    }
  };
  walk(input, DEFAULT_POLICY as unknown as Record<string, unknown>, '');
  if (errors.length) return { ok: false, errors };
  return { ok: true, policy: withPolicy(input as PolicyOverrides) };
}

/** The values of `p` that differ from the spec defaults (whole nested sections when any field differs). */
export function policyOverrides(p: Policy): PolicyOverrides {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify((DEFAULT_POLICY as unknown as Record<string, unknown>)[k])) out[k] = v;
  }
  return out as PolicyOverrides;
}

async function readOverrides(db: Pick<Db, 'providerPolicy'>): Promise<PolicyOverrides> {
  const row = await db.providerPolicy.findUnique({ where: { id: 1 } });
  return row ? (JSON.parse(row.values) as PolicyOverrides) : {};
}

export async function loadProviderPolicyOverrides(db: Db): Promise<PolicyOverrides> {
  return readOverrides(db);
}

/**
 * The effective policy: the stored overrides merged over DEFAULT_POLICY. A stored value the
 * validator rejects (e.g. written by a newer version) stops the load with the field names: the
 * PF must not run under a policy nobody chose.
 */
export async function loadProviderPolicy(db: Db): Promise<Policy> {
  return providerPolicyOfText(await storedProviderPolicyText(db));
}

/**
 * The stored overrides as the text they were saved as ('' when none were): an instance compares
 * it with what it last loaded to see an edit made through another instance's console (D-316).
 */
export async function storedProviderPolicyText(db: Pick<Db, 'providerPolicy'>): Promise<string> {
  const row = await db.providerPolicy.findUnique({ where: { id: 1 }, select: { values: true } });
  return row?.values ?? '';
}

/** The effective policy of stored text (storedProviderPolicyText); throws as loadProviderPolicy does. */
export async function providerPolicyOfText(text: string): Promise<Policy> {
  const overrides = text ? (JSON.parse(text) as PolicyOverrides) : {};
  const r = (await loadValidator())(overrides);
  if (!r.ok) throw new Error(`stored provider policy is invalid: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return r.policy;
}

async function store(db: Db, candidate: unknown, actor: string, opts: { alsoAudit?: AlsoAudit } = {}): Promise<PolicySaveResult> {
  const r = (await loadValidator())(candidate);
  if (!r.ok) return r;
  const overrides = policyOverrides(r.policy);
  await db.$transaction(async (tx) => {
    const before = await readOverrides(tx);
    const values = JSON.stringify(overrides);
    await tx.providerPolicy.upsert({ where: { id: 1 }, create: { id: 1, values }, update: { values } });
    await writeAudit(tx, { actor, action: 'provider-policy.update', target: 'provider-policy', before, after: overrides });
    if (opts.alsoAudit) await writeAudit(tx, { actor, target: 'provider-policy', ...opts.alsoAudit });
  });
  return { ok: true, policy: r.policy, overrides };
}

/** Replaces the policy: settings missing from `input` go back to their defaults. Audited (with `alsoAudit` in the same transaction). */
export async function saveProviderPolicy(db: Db, input: unknown, actor: string, opts: { alsoAudit?: AlsoAudit } = {}): Promise<PolicySaveResult> {
  return store(db, input, actor, opts);
}

/** Changes only the settings in `patch` (nested sections merge field by field). Audited. */
export async function patchProviderPolicy(db: Db, patch: PolicyOverrides, actor: string): Promise<PolicySaveResult> {
  const current = await readOverrides(db);
  const merged: Record<string, unknown> = { ...current, ...patch };
  for (const k of ['imdnAggregation', 'defaultUserPrefs'] as const) {
    if (patch[k] && typeof patch[k] === 'object') merged[k] = { ...(current[k] ?? {}), ...patch[k] };
  }
  return store(db, merged, actor);
}
