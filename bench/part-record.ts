// `npm run bench -- record`: what recording the engine's inputs (replay, what-if; D-240) costs per
// MESSAGE. The IMDN load of bench/imdn-throughput.ts (half first-seen and forwarded to the users'
// client, half duplicates) at one fixed rate, to fresh PFs with PF_RECORD=off and =on in turn
// (off and on in turn, the order alternating, BENCH_RECORD_PAIRS times: a shared machine drifts); CPU is the PF process's, from /proc, per answered
// MESSAGE; bytes are the deflated batches stored, per answered MESSAGE.
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { hotSpots, hotSpotsText, type HotSpots } from './cpu-profile';
import { openDatabase } from '../server/store/database';
import { recordingSize } from '../server/store/engine-recording';
import { recordJson } from './record-json';
import { imdnCsv, USERS } from './imdn-throughput';
import { startPfChild } from './pf-child';
import { round, threadCpu, threadCpuSince, watchProc } from './proc-stats';
import { runLoad, runOnce, startUas } from './sipp';

const RATE = Number(process.env.BENCH_RECORD_RATE || 500);
const CALLS = Number(process.env.BENCH_RECORD_CALLS || 6000);
/** MESSAGEs sent before the measured ones, to a warm PF (BENCH_RECORD_WARMUP, default 6000; 0: none) */
const WARMUP = Number(process.env.BENCH_RECORD_WARMUP ?? 6000);
/** BENCH_RECORD_PROFILE=1: one more PF_RECORD=on run under the V8 CPU profiler, its hot spots in bench/profiles/record.txt (=only: that run alone) */
const PROFILE = process.env.BENCH_RECORD_PROFILE ?? '';
/** off/on pairs run in turn (a shared machine drifts; the figure is the median of the pairs' extra CPU) */
const PAIRS = Number(process.env.BENCH_RECORD_PAIRS || 3);

interface Run {
  record: 'on' | 'off';
  ok: boolean;
  successful: number;
  cpuMsPerCall: number;
  cpuPct: number;
  p99Ms: number | null;
  bytes?: number;
  batches?: number;
  calls?: number;
  /** the recording's JSON before deflate: all of it, and per procedure (and version definitions) */
  jsonBytes?: number;
  jsonByKind?: Record<string, { lines: number; bytes: number }>;
  /** MESSAGEs the recording holds (the warm-up's and the measured ones): what bytes and calls are divided by */
  recordedMessages?: number;
  /** CPU ms per MESSAGE by thread name (main thread "node", libuv's pool, V8's GC helpers, worker threads) */
  threadMsPerCall?: Record<string, number>;
}

async function once(record: 'on' | 'off', profDir?: string): Promise<Run> {
  // overload control off: on a shared machine it would refuse part of the load, and the figure is
  // the cost of each MESSAGE carried, not the rate held
  const pf = await startPfChild({
    keepData: true, // the recording's size is read from the database after the PF stops
    env: { SEED_USERS: USERS.join(','), PF_RECORD: record, PF_OVERLOAD_MAX_PENDING: '0', PF_OVERLOAD_MAX_LAG_MS: '0', ...(profDir ? { BENCH_CPU_PROF_DIR: profDir } : {}) },
  });
  const client = startUas('uas-message-load.xml', await freePort());
  let run: Run;
  /** MESSAGEs answered in the warm-up: recorded too, so the bytes stored are per all the MESSAGEs */
  let warmed = 0;
  try {
    const target = `127.0.0.1:${pf.sipPort}`;
    const lines = ['SEQUENTIAL', ...USERS.map((u) => `${u};${client.port}`)];
    const reg = await runOnce('register-load.xml', target, await freePort(), { csvLines: lines, calls: lines.length - 1 });
    if (reg.code !== 0) throw new Error(`REGISTER of the bench users failed: ${reg.errors}`);
    // the same load first, unmeasured: a fresh PF spends its first seconds compiling (V8's
    // optimising compiler runs on its pool threads; 822 functions optimised in a cold 6,000-MESSAGE
    // run, 0.27 ms CPU per MESSAGE on those threads against 0.09 warm). The figure is the steady
    // state's, not the start-up's; SIPp's pid is in the message-ids, so the measured load is new.
    const warm = WARMUP > 0 ? await runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate: RATE, calls: WARMUP, csvLines: imdnCsv(WARMUP) }) : undefined;
    warmed = warm?.successful ?? 0;
    if (profDir) process.kill(pf.pid, 'SIGUSR2'); // the profiler starts after the start-up, the REGISTERs and the warm-up
    const w = watchProc(pf.pid);
    const threads0 = threadCpu(pf.pid);
    const r = await runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate: RATE, calls: CALLS, csvLines: imdnCsv(CALLS) });
    const p = w.stop();
    const threads = threadCpuSince(threads0, threadCpu(pf.pid));
    const threadMsPerCall = Object.fromEntries(Object.entries(threads).map(([k, v]) => [k, r.successful ? round((v * 1000) / r.successful, 3) : NaN]));
    run = { record, ok: r.ok, successful: r.successful, cpuMsPerCall: r.successful ? round((p.cpuSec * 1000) / r.successful, 3) : NaN, cpuPct: p.cpuPct, p99Ms: r.rttMs.p99, threadMsPerCall };
  } finally {
    await client.stop();
    await pf.stop();
  }
  try {
    if (record === 'on') {
      const db = await openDatabase(pf.databaseUrl);
      try {
        const size = await recordingSize(db.store);
        run = { ...run, bytes: size.bytes, batches: size.rows, calls: size.calls, recordedMessages: run.successful + warmed };
      } finally {
        await db.close();
      }
      const json = await recordJson(pf.databaseUrl);
      run = { ...run, jsonBytes: json.bytes, jsonByKind: json.byKind };
    }
  } finally {
    pf.removeData();
  }
  const byThread = Object.entries(run.threadMsPerCall ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stderr.write(`  PF_RECORD=${record}: ${run.successful}/${CALLS} ok, ${run.cpuMsPerCall} ms CPU per MESSAGE (${run.cpuPct}% of a core; by thread: ${byThread}), p99 ${run.p99Ms} ms${run.bytes !== undefined ? `, ${run.bytes} bytes in ${run.batches} batch(es) of ${run.calls} engine calls, ${run.jsonBytes} bytes of JSON before deflate` : ''}\n`);
  return run;
}

export async function run() {
  if (PROFILE === 'only') {
    const profile = await profileOn();
    return { summary: ['profile of a PF_RECORD=on run: bench/profiles/record.txt'], data: { rate: RATE, calls: CALLS, profile } };
  }
  process.stderr.write(`recording cost: ${CALLS} IMDN MESSAGEs at ${RATE}/s after ${WARMUP} unmeasured, PF_RECORD off and on, ${PAIRS} times\n`);
  const runs: Run[] = [];
  const pairPct: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // the order alternates: the second run of a pair costs about 1.3 % more whatever it runs (an
    // off/off A/A run gave +0.9, +2.1 and +1.3 %), and always putting PF_RECORD=on second added that to the figure
    const offFirst = i % 2 === 0;
    const first = await once(offFirst ? 'off' : 'on');
    const second = await once(offFirst ? 'on' : 'off');
    const [off, on] = offFirst ? [first, second] : [second, first];
    runs.push(off, on);
    pairPct.push(round(((on.cpuMsPerCall - off.cpuMsPerCall) / off.cpuMsPerCall) * 100, 1));
  }
  const medianPct = [...pairPct].sort((a, b) => a - b)[Math.floor(pairPct.length / 2)];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const off = mean(runs.filter((r) => r.record === 'off').map((r) => r.cpuMsPerCall));
  const onRuns = runs.filter((r) => r.record === 'on');
  const on = mean(onRuns.map((r) => r.cpuMsPerCall));
  const perRecorded = (r: Run) => Math.max(1, r.recordedMessages ?? r.successful);
  const bytesPerMessage = mean(onRuns.map((r) => (r.bytes ?? 0) / perRecorded(r)));
  const callsPerMessage = mean(onRuns.map((r) => (r.calls ?? 0) / perRecorded(r)));
  const jsonPerMessage = mean(onRuns.map((r) => (r.jsonBytes ?? 0) / perRecorded(r)));
  const last = onRuns[onRuns.length - 1];
  const jsonLines = Object.entries(last?.jsonByKind ?? {}).map(([k, v]) => `${k} ${round(v.bytes / v.lines, 0)} B × ${round(v.lines / perRecorded(last), 2)}`);
  const extraPct = round(((on - off) / off) * 100, 1);
  const profile = PROFILE === '1' ? await profileOn() : undefined;
  return {
    summary: [
      `CPU per MESSAGE: ${round(off, 3)} ms with PF_RECORD=off, ${round(on, 3)} ms with it on (means): +${extraPct}%; per pair ${pairPct.map((p) => `+${p}%`).join(', ')}, median +${medianPct}% (target < 10%)`,
      `on disk: ${round(bytesPerMessage, 0)} bytes per MESSAGE (target < 300), ${round(callsPerMessage, 2)} engine calls recorded per MESSAGE`,
      `JSON before deflate: ${round(jsonPerMessage, 0)} bytes per MESSAGE; per line and lines per MESSAGE: ${jsonLines.join(', ')}`,
      `all runs held: ${runs.every((r) => r.ok)}`,
      ...(profile ? [`profile of a PF_RECORD=on run: bench/profiles/record.txt`] : []),
    ],
    data: { rate: RATE, calls: CALLS, warmup: WARMUP, runs, cpuMsPerMessage: { off: round(off, 3), on: round(on, 3), extraPct, pairExtraPct: pairPct, medianPairExtraPct: medianPct }, bytesPerMessage: round(bytesPerMessage, 1), jsonBytesPerMessage: round(jsonPerMessage, 1), callsPerMessage: round(callsPerMessage, 2), profile },
  };
}

/** One PF_RECORD=on run under the CPU profiler: self time by function and by area, as text. */
async function profileOn(): Promise<HotSpots> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-record-prof-'));
  await once('on', dir);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the profiled PF wrote no .cpuprofile');
  const hot = hotSpots(path.join(dir, file), 30);
  mkdirSync('bench/profiles', { recursive: true });
  writeFileSync('bench/profiles/record.txt', hotSpotsText(`PF_RECORD=on, ${CALLS} IMDN MESSAGEs at ${RATE}/s`, hot));
  return hot;
}
