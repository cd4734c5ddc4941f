// What-if: the same recorded calls under a proposed policy or preferences, compared with the
// same calls as recorded. Both sides are replays (the baseline with nothing changed), so the diff
// shows only what the proposal changes. Changes are grouped by the spec branch that decided
// before (or after, for a decision that is new) and by served user.
import type { Effect } from '../effects';
import { replayWindow, type Overrides, type ReplayedCall } from './replay';
import type { EngineOutput } from './procedures';
import type { RecordedCall } from './tape';

export interface DecisionChange {
  at: number;
  procedure: string;
  user: string;
  callId?: string;
  /** [branch, outcome] before; absent for a decision that only the proposal makes */
  before?: [string, string];
  /** [branch, outcome] after; absent for a decision the proposal no longer makes */
  after?: [string, string];
}

export interface WhatIfGroup {
  branch: string;
  user: string;
  /** calls of this group whose decisions or effects changed */
  calls: number;
  /** "DROP → STORE" (or "— → X", "X → —") and how often */
  outcomes: Record<string, number>;
  newEffects: Record<string, number>;
  vanishedEffects: Record<string, number>;
  /** the first few changes, for showing */
  examples: DecisionChange[];
}

export interface WhatIfDiff {
  calls: number;
  changedCalls: number;
  /** lookups the proposal made that the record could not answer exactly (the diff is then approximate there) */
  lookupMisses: number;
  groups: WhatIfGroup[];
}

const EXAMPLES = 5;

/** An effect in a few words: its kind, and for requests and answers what goes out. */
export function effectLabel(e: Effect): string {
  switch (e.kind) {
    case 'SEND_REQ':
      return `SEND_REQ ${e.method}`;
    case 'SEND_RESP':
      return `SEND_RESP ${e.code}`;
    case 'RECORD_OBJECT':
      return `RECORD_OBJECT ${e.object.kind}`;
    case 'DEFER':
      return `DEFER ${e.item.kind}`;
    case 'CACHE_PUT':
      return `CACHE_PUT ${e.cache}`;
    default:
      return e.kind;
  }
}

function counts(labels: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** labels in `a` beyond those in `b`, with multiplicity */
function excess(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of a) if (n > (b.get(k) ?? 0)) out[k] = n - (b.get(k) ?? 0);
  return out;
}

/** The decisions of two results paired up: equal ones drop out, then same branch, then in order. */
export function decisionChanges(before: EngineOutput, after: EngineOutput): Array<{ before?: [string, string]; after?: [string, string] }> {
  const b = before.decisions.map((d): [string, string] => [d.branch, d.outcome]);
  const a = after.decisions.map((d): [string, string] => [d.branch, d.outcome]);
  const same = (x: [string, string], y: [string, string]) => x[0] === y[0] && x[1] === y[1];
  const restB = [...b];
  const restA: [string, string][] = [];
  for (const x of a) {
    const i = restB.findIndex((y) => same(x, y));
    if (i >= 0) restB.splice(i, 1);
    else restA.push(x);
  }
  const out: Array<{ before?: [string, string]; after?: [string, string] }> = [];
  for (const x of [...restB]) {
    const i = restA.findIndex((y) => y[0] === x[0]);
    if (i < 0) continue;
    out.push({ before: x, after: restA[i] });
    restA.splice(i, 1);
    restB.splice(restB.indexOf(x), 1);
  }
  while (restB.length && restA.length) out.push({ before: restB.shift(), after: restA.shift() });
  for (const x of restB) out.push({ before: x });
  for (const x of restA) out.push({ after: x });
  return out;
}

/** The diff between the same calls replayed twice (baseline first, proposal second). */
export function diffReplays(baseline: ReplayedCall[], proposal: ReplayedCall[]): WhatIfDiff {
  const groups = new Map<string, WhatIfGroup>();
  let changedCalls = 0;
  let lookupMisses = 0;
  baseline.forEach((base, i) => {
    const prop = proposal[i];
    lookupMisses += prop.misses;
    const changes = decisionChanges(base.result, prop.result);
    const eb = counts((base.result.effects ?? []).map(effectLabel));
    const ea = counts((prop.result.effects ?? []).map(effectLabel));
    const newEffects = excess(ea, eb);
    const vanishedEffects = excess(eb, ea);
    if (changes.length === 0 && Object.keys(newEffects).length === 0 && Object.keys(vanishedEffects).length === 0) return;
    changedCalls++;
    const branch = changes[0]?.before?.[0] ?? changes[0]?.after?.[0] ?? base.result.decisions[0]?.branch ?? base.call.p;
    const key = `${branch}\u0000${base.user}`;
    const g = groups.get(key) ?? { branch, user: base.user, calls: 0, outcomes: {}, newEffects: {}, vanishedEffects: {}, examples: [] };
    groups.set(key, g);
    g.calls++;
    for (const c of changes) {
      const label = `${c.before?.[1] ?? '—'} → ${c.after?.[1] ?? '—'}`;
      g.outcomes[label] = (g.outcomes[label] ?? 0) + 1;
      if (g.examples.length < EXAMPLES) {
        const callId = base.result.decisions.find((d) => d.callId)?.callId ?? prop.result.decisions.find((d) => d.callId)?.callId;
        g.examples.push({ at: base.call.at, procedure: base.call.p, user: base.user, callId, before: c.before, after: c.after });
      }
    }
    for (const [k, n] of Object.entries(newEffects)) g.newEffects[k] = (g.newEffects[k] ?? 0) + n;
    for (const [k, n] of Object.entries(vanishedEffects)) g.vanishedEffects[k] = (g.vanishedEffects[k] ?? 0) + n;
  });
  const sorted = [...groups.values()].sort((x, y) => y.calls - x.calls || x.branch.localeCompare(y.branch) || x.user.localeCompare(y.user));
  return { calls: baseline.length, changedCalls, lookupMisses, groups: sorted };
}

/** What the recorded calls would have decided under the proposal, against what they decided. */
export function whatIf(calls: RecordedCall[], proposal: Overrides): WhatIfDiff {
  return diffReplays(replayWindow(calls), replayWindow(calls, proposal));
}

/** Two diffs of consecutive parts of a window as one (a long window is diffed batch by batch). */
export function mergeDiffs(a: WhatIfDiff, b: WhatIfDiff): WhatIfDiff {
  const groups = new Map<string, WhatIfGroup>();
  const add = (to: Record<string, number>, from: Record<string, number>) => {
    for (const [k, n] of Object.entries(from)) to[k] = (to[k] ?? 0) + n;
  };
  for (const g of [...a.groups, ...b.groups]) {
    const key = `${g.branch}\u0000${g.user}`;
    const m = groups.get(key);
    if (!m) {
      groups.set(key, { ...g, outcomes: { ...g.outcomes }, newEffects: { ...g.newEffects }, vanishedEffects: { ...g.vanishedEffects }, examples: [...g.examples] });
      continue;
    }
    m.calls += g.calls;
    add(m.outcomes, g.outcomes);
    add(m.newEffects, g.newEffects);
    add(m.vanishedEffects, g.vanishedEffects);
    m.examples = [...m.examples, ...g.examples].slice(0, EXAMPLES);
  }
  const sorted = [...groups.values()].sort((x, y) => y.calls - x.calls || x.branch.localeCompare(y.branch) || x.user.localeCompare(y.user));
  return { calls: a.calls + b.calls, changedCalls: a.changedCalls + b.changedCalls, lookupMisses: a.lookupMisses + b.lookupMisses, groups: sorted };
}

export const EMPTY_DIFF: WhatIfDiff = { calls: 0, changedCalls: 0, lookupMisses: 0, groups: [] };
