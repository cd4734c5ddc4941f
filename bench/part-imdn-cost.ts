// `npm run bench -- imdn-cost`: the PF's CPU time per IMDN MESSAGE at one fixed rate, for A/B
// comparisons of a change on a shared machine (issue 17). Rates and latencies move with the
// neighbours' load; CPU time per MESSAGE (from /proc, all threads of the PF) much less. One PF,
// the users registered, a warm-up, then BENCH_COST_RUNS runs of BENCH_COST_SEC seconds at
// BENCH_COST_RATE (the same traffic as the `imdn` part), then (unless BENCH_PROFILE=0) one more
// run under the V8 CPU profiler whose top self-time functions are written as text to
// bench/profiles/<commit>-<rate>.txt (the .cpuprofile itself is not kept). BENCH_PROFILE=heap
// samples allocations instead (bench/heap-profile.ts) into bench/profiles/<commit>-<rate>-heap.txt;
// BENCH_PROFILE=promoted only those that outlived the young generation (-promoted.txt).
// BENCH_COST_DB=postgresql runs the PF on a throwaway PostgreSQL of its own (the provider of a
// cluster, D-337) instead of its SQLite file; the server's CPU is not in the figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { hotSpots, type HotSpots } from './cpu-profile';
import { benchDatabase } from './bench-database';
import { heapSpots, heapSpotsText } from './heap-profile';
import { USERS, imdnCsv } from './imdn-throughput';
import { startPfChild } from './pf-child';
import { watchProc } from './proc-stats';
import { runLoad, runOnce, startUas } from './sipp';

const RATE = Number(process.env.BENCH_COST_RATE || 500);
const SEC = Number(process.env.BENCH_COST_SEC || 10);
const RUNS = Number(process.env.BENCH_COST_RUNS || 3);

/** CPU seconds of one thread (the main thread's id is the pid) from /proc */
function threadCpuSec(pid: number, tid: number): number {
  const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** CPU seconds of every thread of the PF, by thread id, with the thread's name */
function threadsCpu(pid: number): Map<number, { name: string; sec: number }> {
  const out = new Map<number, { name: string; sec: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(t), { name: readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim(), sec: threadCpuSec(pid, Number(t)) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** The threads that used the most CPU between two readings, in ms per call: where a MESSAGE's CPU goes. */
function threadSplit(before: Map<number, { name: string; sec: number }>, after: Map<number, { name: string; sec: number }>, calls: number, mainTid: number): string {
  const used = [...after].map(([tid, a]) => ({ tid, name: tid === mainTid ? 'main' : a.name, sec: a.sec - (before.get(tid)?.sec ?? 0) }));
  return used
    .filter((u) => u.sec > 0)
    .sort((a, b) => b.sec - a.sec)
    .slice(0, 6)
    .map((u) => `${u.name}#${u.tid === mainTid ? '' : u.tid} ${((u.sec * 1000) / calls).toFixed(3)}`)
    .join(', ');
}

interface CostRun { calls: number; ok: number; cpuMsPerCall: number | null; mainThreadMsPerCall: number | null; cpuPct: number; p50: number | null; p99: number | null; rssMaxMiB: number; load1: number; threads: string }

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function profileText(rate: number, hot: HotSpots, at: string): string {
  const lines = [
    `PF CPU profile, IMDN load at ${rate}/s (bench/part-imdn-cost.ts), commit ${at}, ${new Date().toISOString()}, load average ${os.loadavg()[0].toFixed(2)}`,
    `sampled ${hot.sampledMs} ms, busy ${hot.busyPct}% of samples`,
    '',
    'self time by area:',
    ...hot.areas.map((a) => `  ${String(a.selfPct).padStart(5)}%  ${a.area}`),
    '',
    'top self-time functions:',
    ...hot.functions.map((f) => `  ${String(f.selfPct).padStart(5)}%  ${f.name}  ${f.where}`),
  ];
  return lines.join('\n') + '\n';
}

export async function run() {
  const profDir = mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
  const profile = process.env.BENCH_PROFILE !== '0';
  const promoted = process.env.BENCH_PROFILE === 'promoted';
  const heap = process.env.BENCH_PROFILE === 'heap' || promoted;
  const { provider, postgres } = await benchDatabase('BENCH_COST_DB');
  const pf = await startPfChild({
    databaseUrl: postgres?.url,
    env: { SEED_USERS: USERS.join(','), ...(profile ? { [heap ? 'BENCH_HEAP_PROF_DIR' : 'BENCH_CPU_PROF_DIR']: profDir } : {}), ...(promoted ? { BENCH_HEAP_PROF_MINOR: '0' } : {}) },
  });
  const client = startUas('uas-message-load.xml', await freePort());
  const runs: CostRun[] = [];
  const target = `127.0.0.1:${pf.sipPort}`;
  const load = (calls: number) => runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate: RATE, calls, csvLines: imdnCsv(calls) });
  let profiled: { ok: number; calls: number } | undefined;
  try {
    const lines = ['SEQUENTIAL', ...USERS.map((u) => `${u};${client.port}`)];
    const reg = await runOnce('register-load.xml', target, await freePort(), { csvLines: lines, calls: lines.length - 1 });
    if (reg.code !== 0) throw new Error(`REGISTER failed: ${reg.errors}`);
    await load(Math.min(1000, RATE * 2)); // warm-up: JIT, caches, prepared statements
    const calls = Math.ceil((RATE * SEC) / 100) * 100;
    for (let i = 0; i < RUNS; i++) {
      const load1 = os.loadavg()[0];
      const w = watchProc([pf.pid]);
      const main0 = threadCpuSec(pf.pid, pf.pid);
      const threads0 = threadsCpu(pf.pid);
      const r = await load(calls);
      const p = w.stop();
      const main = threadCpuSec(pf.pid, pf.pid) - main0;
      const split = threadSplit(threads0, threadsCpu(pf.pid), r.successful || 1, pf.pid);
      const perCall = (sec: number) => (r.successful ? Math.round((sec * 1e5) / r.successful) / 100 : null);
      const one = { calls, ok: r.successful, cpuMsPerCall: perCall(p.cpuSec), mainThreadMsPerCall: perCall(main), cpuPct: p.cpuPct, p50: r.rttMs.p50, p99: r.rttMs.p99, rssMaxMiB: p.rssMaxMiB, load1: Math.round(load1 * 10) / 10, threads: split };
      runs.push(one);
      process.stderr.write(`  run ${i + 1}: ${one.ok}/${calls} ok, ${one.cpuMsPerCall} ms CPU/MESSAGE (main thread ${one.mainThreadMsPerCall}), cpu ${one.cpuPct}%, p50 ${one.p50} ms, p99 ${one.p99} ms, load ${one.load1}\n    ms per MESSAGE by thread: ${one.threads}\n`);
    }
    if (profile) {
      process.kill(pf.pid, 'SIGUSR2');
      const r = await load(calls);
      profiled = { ok: r.successful, calls };
    }
  } finally {
    await client.stop();
    await pf.stop();
    await postgres?.stop();
  }
  const at = commit();
  const costs = runs.map((r) => r.cpuMsPerCall).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const median = costs.length ? costs[Math.floor(costs.length / 2)] : null;
  const mains = runs.map((r) => r.mainThreadMsPerCall).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const mainMedian = mains.length ? mains[Math.floor(mains.length / 2)] : null;
  const summary = [
    `PF at ${RATE}/s on ${provider}, ${RUNS} runs of ${SEC} s: CPU per MESSAGE ${costs.join(', ')} ms (median ${median}); main thread ${mains.join(', ')} ms (median ${mainMedian}); p99 ${runs.map((r) => r.p99).join(', ')} ms`,
  ];
  let hot: HotSpots | undefined;
  const heapFile = readdirSync(profDir).find((f) => f.endsWith('.heapprofile'));
  if (heap && heapFile && profiled) {
    const h = heapSpots(path.join(profDir, heapFile), 30);
    const out = path.resolve('bench/profiles', `${at}-${RATE}-${promoted ? 'promoted' : 'heap'}.txt`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, heapSpotsText(`PF heap allocation profile${promoted ? ' (only what outlived the young generation)' : ''}, IMDN load at ${RATE}/s (bench/part-imdn-cost.ts), commit ${at}, ${new Date().toISOString()}, ${profiled.ok} MESSAGEs answered 2xx`, h, profiled.ok || 1));
    summary.push(`allocation profile: ${((h.totalBytes / (profiled.ok || 1)) / 1024).toFixed(1)} KB per MESSAGE → ${path.relative(process.cwd(), out)}`);
    for (const f of h.ours.slice(0, 8)) summary.push(`  ${f.pct}% ${f.name} ${f.where}`);
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (profile && file) {
    hot = hotSpots(path.join(profDir, file), 25);
    const dir = path.resolve('bench/profiles');
    mkdirSync(dir, { recursive: true });
    const out = path.join(dir, `${at}-${RATE}.txt`);
    writeFileSync(out, profileText(RATE, hot, at));
    summary.push(`profiled run ${profiled?.ok}/${profiled?.calls} ok; hot spots → ${path.relative(process.cwd(), out)}`);
    for (const f of hot.functions.slice(0, 8)) summary.push(`  ${f.selfPct}% ${f.name} ${f.where}`);
  }
  return { summary, data: { rate: RATE, database: provider, seconds: SEC, runs, medianCpuMsPerCall: median, medianMainThreadMsPerCall: mainMedian, hot } as Record<string, unknown> };
}
