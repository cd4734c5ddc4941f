// A proposal for what-if, checked: provider policy fields (validated as the Policy page validates
// them; only the fields given are changed) and per-user preference values.
import type { UserPrefs } from '../engine/model';
import type { Policy } from '../engine/policy';
import { validatePolicy } from '../engine/policy-validate';
import type { Overrides } from '../engine/replay/replay';

export type ProposalCheck = { ok: true; proposal: Overrides } | { ok: false; errors: string[] };

const PREF_FIELDS = ['allowOfflineStorage', 'allowStore', 'allowDefer'] as const;

export function checkProposal(input: { policy?: unknown; prefs?: Record<string, unknown> }): ProposalCheck {
  const errors: string[] = [];
  const proposal: Overrides = {};
  if (input.policy !== undefined) {
    const v = validatePolicy(input.policy);
    if (!v.ok) errors.push(...v.errors.map((e) => `policy ${e.field || '(whole)'}: ${e.message}`));
    else {
      const patch: Record<string, unknown> = {};
      for (const k of Object.keys(input.policy as object)) patch[k] = v.policy[k as keyof Policy];
      proposal.policy = patch as Partial<Policy>;
    }
  }
  for (const [user, p] of Object.entries(input.prefs ?? {})) {
    if (!/^sips?:[^@\s]+@\S+$/i.test(user)) errors.push(`prefs: "${user}" is not a user's SIP address (sip:name@domain)`);
    if (!p || typeof p !== 'object' || Array.isArray(p)) {
      errors.push(`prefs ${user}: must be an object of ${PREF_FIELDS.join(', ')}`);
      continue;
    }
    const out: Partial<UserPrefs> = {};
    for (const [k, v] of Object.entries(p)) {
      if (!(PREF_FIELDS as readonly string[]).includes(k)) errors.push(`prefs ${user}.${k}: not one of ${PREF_FIELDS.join(', ')}`);
      else if (typeof v !== 'boolean') errors.push(`prefs ${user}.${k}: must be true or false`);
      else out[k as (typeof PREF_FIELDS)[number]] = v;
    }
    (proposal.prefs ??= {})[user] = out;
  }
  return errors.length ? { ok: false, errors } : { ok: true, proposal };
}
