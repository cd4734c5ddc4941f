// Runs one flow against a running PF: starts the peers on loopback, drives the story, collects
// the ladder (SIP across all peers, in order) and the PF's decisions (the console's live stream),
// and compares them with the flow's expected outcome.
import type { DecisionRecord } from '../live/events';
import type { ExpectedDecision, Check, Flow } from './flow';
import { FlowContext } from './flow';
import { Ladder, type LadderEntry } from './ladder';
import { PfConsole } from './pf-console';

export interface RunTarget {
  /** where the PF listens for SIP */
  sip: { host: string; port: number };
  /** the console (JSON API and socket.io) */
  consoleUrl: string;
  /** the signed-in operator's Cookie header, when the console requires a login */
  cookie?: string;
  domain?: string;
  /** bound on every wait for a SIP answer or request (default 4 s) */
  timeoutMs?: number;
}

export interface RunHooks {
  onLadder?: (e: LadderEntry) => void;
  onDecision?: (d: DecisionRecord) => void;
}

export interface DecisionMatch {
  expected: ExpectedDecision;
  /** seq of the decision that matched, if any */
  seq?: number;
}

export interface FlowResult {
  flow: string;
  title: string;
  passed: boolean;
  /** the flow could not be played to its end (a peer never got its answer ...) */
  error?: string;
  checks: Check[];
  expected: DecisionMatch[];
  forbidden: Array<{ expected: ExpectedDecision; seq: number }>;
  decisions: DecisionRecord[];
  ladder: LadderEntry[];
  durationMs: number;
}

const SETTLE_MS = 2500;

function matches(d: DecisionRecord, e: ExpectedDecision): boolean {
  return (Array.isArray(e.branch) ? e.branch.includes(d.branch) : d.branch === e.branch) && (e.outcome === undefined || d.outcome === e.outcome);
}

/** In-order matching: each expected decision is looked for after the previous one's match. */
export function matchDecisions(decisions: DecisionRecord[], expected: ExpectedDecision[]): DecisionMatch[] {
  const sorted = [...decisions].sort((a, b) => a.seq - b.seq);
  let from = 0;
  return expected.map((e) => {
    const i = sorted.findIndex((d, j) => j >= from && matches(d, e));
    if (i < 0) return { expected: e };
    from = i + 1;
    return { expected: e, seq: sorted[i].seq };
  });
}

export async function runFlow(flow: Flow, target: RunTarget, hooks: RunHooks = {}): Promise<FlowResult> {
  const started = Date.now();
  const ladder = new Ladder();
  if (hooks.onLadder) ladder.onEntry(hooks.onLadder);
  const pfConsole = new PfConsole(target.consoleUrl, undefined, target.cookie);
  if (hooks.onDecision) pfConsole.onDecision(hooks.onDecision);
  const names = new Map([[`${target.sip.host}:${target.sip.port}`, 'PF']]);
  const ctx = new FlowContext({ ladder, pf: target.sip, names, timeoutMs: target.timeoutMs ?? 4000 }, pfConsole, target.domain ?? 'example.com');
  let error: string | undefined;
  try {
    await pfConsole.watchDecisions();
    ladder.step(flow.title);
    await flow.run(ctx);
  } catch (err) {
    error = (err as Error).message;
    ladder.step(`stopped: ${error}`);
  }
  // Decisions can trail the last SIP message (timers, deferred deliveries): wait for them a little.
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline && matchDecisions(pfConsole.decisions, flow.decisions).some((m) => m.seq === undefined)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 150));
  const expected = matchDecisions(pfConsole.decisions, flow.decisions);
  const forbidden = (flow.forbidden ?? []).flatMap((f) => pfConsole.decisions.filter((d) => matches(d, f)).map((d) => ({ expected: f, seq: d.seq })));
  const decisions = [...pfConsole.decisions].sort((a, b) => a.seq - b.seq);
  await ctx.close();
  const problems = await pfConsole.close();
  if (problems.length && !error) error = `clean-up: ${problems.join('; ')}`;
  const passed = !error && ctx.checks.every((c) => c.ok) && expected.every((m) => m.seq !== undefined) && forbidden.length === 0;
  return { flow: flow.id, title: flow.title, passed, error, checks: ctx.checks, expected, forbidden, decisions, ladder: ladder.entries, durationMs: Date.now() - started };
}
