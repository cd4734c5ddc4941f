// Replay: recorded engine calls run again through the same procedures. With no overrides every
// result must match its record exactly (the engine is pure; a difference is a determinism bug).
// With overrides (a proposed provider policy, a user's proposed preferences) the same calls show
// what that policy would have decided: see what-if.ts.
import type { UserPrefs } from '../model';
import type { Policy } from '../policy';
import { PROCEDURES, type EngineOutput } from './procedures';
import { decisionKeys, fingerprintMatches, replayArgs, type RecordedCall } from './tape';

export interface Overrides {
  /** provider policy fields to change; the rest stays as each call recorded it */
  policy?: Partial<Policy>;
  /** per served user (AoR), preference fields to change */
  prefs?: Record<string, Partial<UserPrefs>>;
}

export interface ReplayedCall {
  call: RecordedCall;
  /** the served user the call was about ('' when none) */
  user: string;
  result: EngineOutput;
  /** the thrown error's message when the procedure failed (result then empty) */
  error?: string;
  /** lookups the record could not answer exactly (0 without overrides for a faithful record) */
  misses: number;
}

/** The served user a call was made for: its argument, its session's or delivery's, else its first decision's. */
export function userOf(call: RecordedCall): string {
  const a = call.a as { servedUser?: unknown; session?: { servedUser?: unknown }; delivery?: { servedUser?: unknown }; input?: { servedUser?: unknown } };
  const u = a.servedUser ?? a.session?.servedUser ?? a.delivery?.servedUser ?? a.input?.servedUser ?? call.d.find((d) => d[2])?.[2];
  return typeof u === 'string' ? u : '';
}

export function replayCall(call: RecordedCall, overrides: Overrides = {}): ReplayedCall {
  const misses = { count: 0 };
  const user = userOf(call);
  const args = replayArgs(call, misses);
  const policy = overrides.policy;
  if (policy && args.policy && typeof args.policy === 'object') args.policy = mergePolicy(args.policy as Policy, policy);
  if (args.prefs && typeof args.prefs === 'object') {
    const recorded = args.prefs as UserPrefs;
    // Preferences the shell took from the provider's defaults follow a proposed change of them (D-241).
    const defaults = recorded.source === 'PROVIDER_DEFAULTS' ? policy?.defaultUserPrefs : undefined;
    const own = overrides.prefs?.[user];
    if (defaults || own) args.prefs = { ...recorded, ...defaults, ...own };
  }
  const run = PROCEDURES[call.p].run as (a: unknown) => EngineOutput;
  try {
    return { call, user, result: run(args), misses: misses.count };
  } catch (e) {
    return { call, user, result: { effects: [], decisions: [] }, error: (e as Error)?.message ?? String(e), misses: misses.count };
  }
}

/** The recorded policy with the proposal's fields; the nested objects merge field by field (as withPolicy does). */
export function mergePolicy(recorded: Policy, patch: Partial<Policy>): Policy {
  const out = { ...recorded, ...patch };
  for (const k of ['imdnAggregation', 'defaultUserPrefs'] as const) {
    if (patch[k] && recorded[k]) (out as Record<string, unknown>)[k] = { ...recorded[k], ...patch[k] };
  }
  return out;
}

export function replayWindow(calls: RecordedCall[], overrides: Overrides = {}): ReplayedCall[] {
  return calls.map((c) => replayCall(c, overrides));
}

export interface ReplayMismatch {
  index: number;
  at: number;
  procedure: string;
  recorded: RecordedCall['d'];
  replayed: RecordedCall['d'];
  /** effects or decision details differ though the branches and outcomes may agree */
  fingerprintDiffers: boolean;
  error?: string;
}

/** Replays calls unchanged and lists every one whose result differs from its record. */
export function checkReplay(calls: RecordedCall[]): { calls: number; mismatches: ReplayMismatch[] } {
  const mismatches: ReplayMismatch[] = [];
  calls.forEach((call, index) => {
    const r = replayCall(call);
    const replayed = decisionKeys(r.result.decisions);
    const fingerprintDiffers = !fingerprintMatches(r.result, call.h);
    if (fingerprintDiffers || r.error || r.misses || JSON.stringify(replayed) !== JSON.stringify(call.d)) {
      mismatches.push({ index, at: call.at, procedure: call.p, recorded: call.d, replayed, fingerprintDiffers, error: r.error ?? (r.misses ? `${r.misses} lookup(s) not in the record` : undefined) });
    }
  });
  return { calls: calls.length, mismatches };
}
