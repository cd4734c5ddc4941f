// Issue 9.1, IMDN throughput. SIPp (bob's side) sends MESSAGEs carrying IMDNs to ten served users;
// each message-id is sent twice in a row, so half are first-seen (forwarded by IMDN-RX to the
// users' client, a SIPp UAS) and half are duplicates (answered 200 and suppressed). Rising rates,
// each step a bounded number of calls; a step "holds" when every call got its 200 and SIPp kept
// at least 90% of the asked rate. The same traffic also goes straight to the UAS (the ceiling of
// SIPp on this machine), through a stateful Kamailio relay, through the least a
// transaction-stateful relay does in plain Node.js (bench/node-relay.mjs: the floor of Node.js on
// this machine for this traffic) and through the design card's SIP stack with no PF in it
// (bench/srf-relay-process.ts: the embedded edge on its thread, srf, an app that relays; once
// relaying every MESSAGE as the others do, once answering the repeated notifications itself as
// the PF does), and the PF's figure is given as a ratio to the ceiling and Kamailio. The PF runs
// as a child process, sampled from /proc; one extra run under the V8 CPU profiler (the same
// profile as node --cpu-prof, taken only while the load runs) names the hot spots. Last, the
// overload step: 2× and 4× the PF's zero-failure rate, to a fresh PF each, and the same offered
// rates through Kamailio: goodput (200s per offered second), 503s, RSS.
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { hotSpots, type HotSpots } from './cpu-profile';
import { ensureKamailio, startKamailio } from './kamailio';
import { startPfChild } from './pf-child';
import { startNodeRelay, startSrfRelay, startUaRelay, type Relay } from './reference-relays';
import { processTree, watchProc, type ProcWindow } from './proc-stats';
import { runLoad, runOnce, startUas, type LoadRun } from './sipp';
import { interleaved, type Series } from './interleaved';
import { stopEach } from './stop-child';

export const USERS = Array.from({ length: 10 }, (_, i) => `u${i}`);
const DEFAULT_RATES = [250, 500, 1000, 2000, 3000, 4000, 5000, 6000];

export function rates(): number[] {
  const env = process.env.BENCH_RATES;
  return env ? env.split(',').map(Number).filter((n) => n > 0) : DEFAULT_RATES;
}
const STEP_SEC = Number(process.env.BENCH_STEP_SEC || 6);

/** a bounded step: STEP_SEC seconds of traffic, rounded up to a multiple of 100 calls */
export function stepCalls(rate: number): number {
  return Math.ceil((rate * STEP_SEC) / 100) * 100;
}

/** Injection lines: each message-id twice in a row (first forwarded, then a duplicate). */
export function imdnCsv(calls: number): string[] {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < calls; i++) lines.push(`${USERS[(i >> 1) % USERS.length]};k${i >> 1}`);
  return lines;
}

export type Step = LoadRun & {
  /** the relay's process (PF, or Kamailio and its workers): CPU and memory over the step */
  pf?: ProcWindow;
  /** CPU milliseconds the relay spent per answered MESSAGE: the load-independent cost */
  cpuMsPerCall?: number;
  retried?: boolean;
};

/** How a step is measured: the load run, wrapped in a /proc window over the relay's processes. */
type Measure = (run: () => Promise<LoadRun>) => Promise<Step>;

function measured(pids: number[]): Measure {
  return async (run) => {
    const w = watchProc(pids);
    const r = await run();
    const pf = w.stop();
    return { ...r, pf, cpuMsPerCall: r.successful ? Math.round((pf.cpuSec * 1000 * 100) / r.successful) / 100 : undefined };
  };
}

/**
 * MESSAGEs sent to each fresh PF at 500/s before anything is measured (BENCH_WARMUP_CALLS, default
 * 6000; 0: none). A cold PF spends its first seconds compiling: 822 functions optimised in its
 * first 6,000 MESSAGEs, 0.27 ms CPU per MESSAGE on V8's pool threads against 0.09 warm (the record
 * part's runs). Kamailio, compiled ahead of time, has no such phase. SIPp's pid is in the
 * message-ids, so the measured load is new to the PF's caches.
 */
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP_CALLS ?? 6000);

async function warmUp(target: string): Promise<void> {
  if (WARMUP_CALLS <= 0) return;
  const r = await runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate: 500, calls: WARMUP_CALLS, csvLines: imdnCsv(WARMUP_CALLS) });
  process.stderr.write(`  warm-up: ${r.successful}/${WARMUP_CALLS} MESSAGEs at 500/s, not measured\n`);
  await sleep(1000);
}

/** BENCH_RETRY=0: a failed step is final at once */
const RETRY = process.env.BENCH_RETRY !== '0';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One step of a series at one rate: a failed step is tried once more (BENCH_RETRY). */
async function oneStep(label: string, target: string, rate: number, around?: Measure): Promise<Step> {
  const calls = stepCalls(rate);
  const run = () => runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate, calls, csvLines: imdnCsv(calls) });
  let step: Step = around ? await around(run) : await run();
  if (!step.ok && RETRY) {
    // other work on a shared machine can starve SIPp for a moment: a failed step gets one more try
    process.stderr.write(`  ${label} ${rate}/s failed once (${step.successful}/${calls} ok, achieved ${step.achievedRate}/s); retrying\n`);
    await sleep(3000);
    step = { ...(around ? await around(run) : await run()), retried: true };
  }
  const pf = step.pf ? `, relay cpu ${step.pf.cpuPct}% (${step.cpuMsPerCall} ms/call) rss ${step.pf.rssMaxMiB} MiB` : '';
  process.stderr.write(
    `  ${label} ${rate}/s × ${calls}: ${step.ok ? 'ok' : 'FAILED'} (${step.successful} ok, ${step.failed} failed, ${step.retransmissions} retrans, ${step.kernelUdpDrops ?? 'n/a'} kernel UDP drops, achieved ${step.achievedRate}/s, p50 ${step.rttMs.p50} ms, p99 ${step.rttMs.p99} ms${pf})\n`,
  );
  return step;
}

export function highestHeld(steps: Step[]): number {
  let best = 0;
  for (const s of steps) {
    if (!s.ok) break;
    best = s.rate;
  }
  return best;
}

async function registerAll(target: string, uasPort: number, perUserPorts: number[] = [uasPort]): Promise<void> {
  const lines = ['SEQUENTIAL', ...USERS.flatMap((u) => perUserPorts.map((p) => `${u};${p}`))];
  const r = await runOnce('register-load.xml', target, await freePort(), { csvLines: lines, calls: lines.length - 1 });
  if (r.code !== 0) throw new Error(`REGISTER of the bench users failed: ${r.errors}`);
}

export interface ImdnResult {
  steps: { ceiling: Step[]; kamailio: Step[]; nodeRelay: Step[]; srfRelay: Step[]; srfAnswer: Step[]; uaAnswer: Step[]; pf: Step[] };
  highest: { ceiling: number; kamailio: number | null; nodeRelay: number; srfRelay: number; srfAnswer: number; uaAnswer: number; pf: number };
  pfVsCeiling: number | null;
  pfVsKamailio: number | null;
  pfAt1000: { p50: number | null; p99: number | null } | null;
  /** CPU ms per MESSAGE at the highest step each held (load-independent), and PF / Kamailio */
  cpuMsPerCall: { pf: number | null; kamailio: number | null; pfOverKamailio: number | null; nodeRelay: number | null; srfRelay: number | null; srfAnswer: number | null; uaAnswer: number | null };
  kamailioNote?: string;
  profile?: { rate: number; hot: HotSpots } | { error: string };
  overload?: OverloadResult;
}

export interface OverloadStep {
  /** offered rate, and as a multiple of the PF's zero-failure rate */
  rate: number;
  times: number;
  calls: number;
  /** final answers SIPp received, by code; `unanswered`: calls that got none within 5 s */
  answered200: number;
  answered503: number;
  unanswered: number;
  /** 200s per offered second, and that as a share of the PF's zero-failure rate (the capacity) */
  goodput: number;
  goodputOfCapacity: number;
  retransmissions: number;
  /** LoadRun's: datagrams the kernel dropped on full receive buffers during the step (any socket) */
  kernelUdpDrops: number | null;
  /** MESSAGE→200 of the calls answered 200 */
  rttMs: LoadRun['rttMs'];
  cpuPct: number;
  rssMaxMiB: number;
}

export interface OverloadResult {
  /** the PF's zero-failure rate the steps are multiples of */
  capacity: number;
  pf: OverloadStep[];
  /** the same offered rates through Kamailio (far below its own capacity) */
  kamailio: OverloadStep[];
}

export async function imdnThroughput(): Promise<ImdnResult> {
  const list = rates();
  const uasPort = await freePort();
  const uas = startUas('uas-message-load.xml', uasPort);
  const next = `127.0.0.1:${uasPort}`;
  // every relay is started before the first step and stays up, idle, while the others run theirs
  const running: Array<{ stop(): Promise<unknown> }> = [];
  const series: Series<Step, Measure>[] = [];
  const add = (label: string, target: string, pids?: number[]) => series.push({ label, target, around: pids ? measured(pids) : undefined, steps: [] });
  let client: ReturnType<typeof startUas> | undefined;
  let kamailioNote: string | undefined;
  try {
    await sleep(300);
    // 1. the ceiling: SIPp UAC straight to the SIPp UAS
    add('ceiling', next);
    // 2. stateful Kamailio relay in front of the same UAS
    kamailioNote = ensureKamailio();
    if (!kamailioNote) {
      const k = await startKamailio(await freePort(), next);
      running.push(k);
      add('kamailio', `127.0.0.1:${k.port}`, processTree(k.pid));
    }
    // 3. the Node.js floor (bench/node-relay.mjs, transaction-stateful), then the edge and srf
    //    alone (bench/srf-relay-process.ts): relaying every MESSAGE, and answering repeats as the PF does
    const reference = async (label: string, start: Promise<Relay>) => {
      const relay = await start;
      running.push(relay);
      add(label, `127.0.0.1:${relay.port}`, [relay.pid]);
    };
    await reference('node-relay', startNodeRelay(next));
    await reference('srf-relay', startSrfRelay(next));
    await reference('srf-answer', startSrfRelay(next, 'answer'));
    // the edge's SIP stack alone, answering repeats (bench/ua-relay-process.ts): where a MESSAGE
    // path beside srf would start (D-341)
    await reference('ua-answer', startUaRelay(next, 'answer'));
    // 4. the PF: IMDN-RX with dedup, forwarding first-seen notifications to the users' client
    const pf = await startPfChild({ env: { SEED_USERS: USERS.join(',') } });
    running.push(pf);
    client = startUas('uas-message-load.xml', await freePort());
    await registerAll(`127.0.0.1:${pf.sipPort}`, client.port);
    await warmUp(`127.0.0.1:${pf.sipPort}`);
    add('pf', `127.0.0.1:${pf.sipPort}`, [pf.pid]);

    await interleaved(series, list, oneStep);
  } finally {
    // every process is stopped, also when one of them fails to stop (said, not thrown: an error
    // from the steps must not be hidden by one from the clean-up)
    const unstopped = (e: unknown) => void process.stderr.write(`  a process of the imdn part did not stop cleanly: ${String(e)}\n`);
    if (client) {
      const seen = await client.stop().catch(unstopped);
      if (seen) process.stderr.write(`  the PF's client received ${seen.incoming} forwarded MESSAGEs in all\n`);
    }
    await stopEach([...running.reverse(), uas], unstopped);
  }
  const stepsOf = (label: string) => series.find((s) => s.label === label)?.steps ?? [];
  const [ceiling, kamailio, nodeRelay, srfRelay, srfAnswer, uaAnswer, pfSteps] = ['ceiling', 'kamailio', 'node-relay', 'srf-relay', 'srf-answer', 'ua-answer', 'pf'].map(stepsOf);

  const highest = { ceiling: highestHeld(ceiling), kamailio: kamailioNote ? null : highestHeld(kamailio), nodeRelay: highestHeld(nodeRelay), srfRelay: highestHeld(srfRelay), srfAnswer: highestHeld(srfAnswer), uaAnswer: highestHeld(uaAnswer), pf: highestHeld(pfSteps) };
  const at1000 = pfSteps.find((s) => s.rate === 1000);

  // 5. overload: 2× and 4× the PF's zero-failure rate (the first step's rate when none held)
  const overload = process.env.BENCH_OVERLOAD === '0' ? undefined : await overloadSteps(highest.pf || list[0], kamailioNote === undefined);

  // 6. where the PF spends its time, at the highest rate it held (or the first step)
  let profile: ImdnResult['profile'];
  if (process.env.BENCH_PROFILE !== '0') profile = await profilePf(highest.pf || list[0]);

  return {
    steps: { ceiling, kamailio, nodeRelay, srfRelay, srfAnswer, uaAnswer, pf: pfSteps },
    highest,
    pfVsCeiling: highest.ceiling ? Math.round((highest.pf / highest.ceiling) * 100) / 100 : null,
    pfVsKamailio: highest.kamailio ? Math.round((highest.pf / highest.kamailio) * 100) / 100 : null,
    pfAt1000: at1000 ? { p50: at1000.rttMs.p50, p99: at1000.rttMs.p99 } : null,
    cpuMsPerCall: costs(pfSteps, kamailio, { nodeRelay, srfRelay, srfAnswer, uaAnswer }),
    ...(kamailioNote ? { kamailioNote } : {}),
    profile,
    overload,
  };
}

const OVERLOAD_TIMES = [2, 4];

function overloadStep(r: LoadRun, times: number, capacity: number, w: ProcWindow): OverloadStep {
  const answered200 = r.received?.['200'] ?? 0;
  const answered503 = r.received?.['503'] ?? 0;
  const goodput = Math.round(answered200 / (r.calls / r.rate));
  return {
    rate: r.rate, times, calls: r.calls, answered200, answered503, unanswered: r.calls - answered200 - answered503,
    goodput, goodputOfCapacity: Math.round((goodput / capacity) * 100) / 100,
    retransmissions: r.retransmissions, kernelUdpDrops: r.kernelUdpDrops, rttMs: r.rttMs, cpuPct: w.cpuPct, rssMaxMiB: w.rssMaxMiB,
  };
}

function logOverload(label: string, s: OverloadStep): void {
  process.stderr.write(
    `  ${label} ${s.rate}/s (${s.times}×) × ${s.calls}: ${s.answered200} × 200, ${s.answered503} × 503, ${s.unanswered} unanswered; goodput ${s.goodput}/s (${Math.round(s.goodputOfCapacity * 100)}% of ${Math.round(s.rate / s.times)}/s), ${s.retransmissions} retrans, ${s.kernelUdpDrops ?? 'n/a'} kernel UDP drops, p99 ${s.rttMs.p99} ms, cpu ${s.cpuPct}%, rss ${s.rssMaxMiB} MiB\n`,
  );
}

/** Each PF step on a fresh PF (RSS of that step alone); then Kamailio at the same offered rates. */
async function overloadSteps(capacity: number, withKamailio: boolean): Promise<OverloadResult> {
  process.stderr.write(`IMDN overload: ${OVERLOAD_TIMES.map((t) => `${t}×`).join(', ')} the PF's zero-failure rate (${capacity}/s)\n`);
  const run = (target: string, rate: number) => {
    const calls = stepCalls(rate);
    return runLoad({ scenario: 'uac-imdn-overload.xml', target, localPort: 0, rate, calls, csvLines: imdnCsv(calls), counts: true });
  };
  const pfSteps: OverloadStep[] = [];
  for (const times of OVERLOAD_TIMES) {
    const pf = await startPfChild({ env: { SEED_USERS: USERS.join(',') } });
    const client = startUas('uas-message-load.xml', await freePort());
    try {
      await registerAll(`127.0.0.1:${pf.sipPort}`, client.port);
      await warmUp(`127.0.0.1:${pf.sipPort}`);
      const w = watchProc([pf.pid]);
      const r = await run(`127.0.0.1:${pf.sipPort}`, capacity * times);
      const step = overloadStep(r, times, capacity, w.stop());
      logOverload('pf', step);
      pfSteps.push(step);
    } finally {
      await client.stop();
      await pf.stop();
    }
    await sleep(1000);
  }
  const kSteps: OverloadStep[] = [];
  if (withKamailio) {
    const uas = startUas('uas-message-load.xml', await freePort());
    const k = await startKamailio(await freePort(), `127.0.0.1:${uas.port}`);
    try {
      for (const times of OVERLOAD_TIMES) {
        const w = watchProc(processTree(k.pid));
        const r = await run(`127.0.0.1:${k.port}`, capacity * times);
        const step = overloadStep(r, times, capacity, w.stop());
        logOverload('kamailio', step);
        kSteps.push(step);
        await sleep(1000);
      }
    } finally {
      await k.stop();
      await uas.stop();
    }
  }
  return { capacity, pf: pfSteps, kamailio: kSteps };
}

function costs(pf: Step[], kamailio: Step[], refs: { nodeRelay: Step[]; srfRelay: Step[]; srfAnswer: Step[]; uaAnswer: Step[] }): ImdnResult['cpuMsPerCall'] {
  // the cost at the highest step held, or at the first step when none held
  const at = (steps: Step[]) => (steps.filter((s) => s.ok).at(-1) ?? steps[0])?.cpuMsPerCall ?? null;
  const p = at(pf);
  const k = at(kamailio);
  return { pf: p, kamailio: k, pfOverKamailio: p !== null && k ? Math.round((p / k) * 10) / 10 : null, nodeRelay: at(refs.nodeRelay), srfRelay: at(refs.srfRelay), srfAnswer: at(refs.srfAnswer), uaAnswer: at(refs.uaAnswer) };
}

async function profilePf(rate: number): Promise<ImdnResult['profile']> {
  process.stderr.write(`IMDN throughput: PF under the CPU profiler at ${rate}/s\n`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
  const pf = await startPfChild({ env: { SEED_USERS: USERS.join(','), BENCH_CPU_PROF_DIR: dir } });
  const client = startUas('uas-message-load.xml', await freePort());
  try {
    await registerAll(`127.0.0.1:${pf.sipPort}`, client.port);
    await warmUp(`127.0.0.1:${pf.sipPort}`);
    const calls = stepCalls(rate);
    process.kill(pf.pid, 'SIGUSR2'); // start the profiler now: start-up and warm-up are not what we want to see
    const r = await runLoad({ scenario: 'uac-imdn-load.xml', target: `127.0.0.1:${pf.sipPort}`, localPort: 0, rate, calls, csvLines: imdnCsv(calls) });
    process.stderr.write(`  profiled run: ${r.successful}/${calls} ok, p99 ${r.rttMs.p99} ms\n`);
  } finally {
    await client.stop();
    await pf.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return { error: 'no .cpuprofile was written' };
  return { rate, hot: hotSpots(path.join(dir, file)) };
}
