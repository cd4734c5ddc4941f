// Soak: IMDN traffic at a steady rate for a long time, then a look at what is left. Reports the
// PF's resident memory over time (flat within 10 % after warm-up?) and, once the load stopped and
// the transactions' linger timers ran out, what the edge still holds (transactions, dialogs,
// transactions of the app): anything above zero is a leak.
//
//   node --import tsx scripts/soak.ts [--minutes 30] [--rate R] [--window-sec 30] [--json out.json]
//
// The default rate is half the highest zero-failure PF rate in bench/results/imdn.json, or
// 200/s when there is none. The PF runs as a child process (bench/pf-process.ts, JSON API on) on
// free ports with a throwaway database; SIPp sends (bench/scenarios/uac-imdn-load.xml) to ten
// served users whose one client (a SIPp UAS) answers every forwarded MESSAGE.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startPfChild } from '../bench/pf-child';
import { imdnCsv, USERS } from '../bench/imdn-throughput';
import { sampleProc } from '../bench/proc-stats';
import { runLoad, runOnce, startUas } from '../bench/sipp';
import { freePort } from '../e2e/support/ports';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

export function defaultRate(file = 'bench/results/imdn.json'): { rate: number; from: string } {
  if (existsSync(file)) {
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as { steps?: { pf?: Array<{ rate: number; ok: boolean; failed: number }> } };
      const held = (r.steps?.pf ?? []).filter((s) => s.ok && s.failed === 0).map((s) => s.rate);
      if (held.length) return { rate: Math.max(1, Math.floor(Math.max(...held) / 2)), from: `half of ${Math.max(...held)}/s, the highest zero-failure PF step in ${file}` };
      return { rate: 200, from: `${file} has no zero-failure PF step` };
    } catch {
      return { rate: 200, from: `${file} is unreadable` };
    }
  }
  return { rate: 200, from: 'no bench results' };
}

interface EdgeHealth {
  sip: { edge?: { transactions: number; serverTransactions: number; clientTransactions: number; dialogs: number; appTransactions: number } };
}

async function main(): Promise<void> {
  const minutes = Number(arg('minutes') ?? 30);
  const chosen = arg('rate') ? { rate: Number(arg('rate')), from: '--rate' } : defaultRate();
  const windowSec = Number(arg('window-sec') ?? 30);
  const rate = chosen.rate;
  console.log(`soak: ${minutes} min at ${rate}/s (${chosen.from}), windows of ${windowSec} s`);

  const pf = await startPfChild({ env: { SEED_USERS: USERS.join(','), BENCH_API: '1' } });
  const client = startUas('uas-message-load.xml', await freePort());
  const target = `127.0.0.1:${pf.sipPort}`;
  const health = async () => (await (await fetch(`http://127.0.0.1:${pf.apiPort}/api/health`)).json()) as EdgeHealth;
  const samples: Array<{ minute: number; rssMiB: number; sent: number; failed: number; p99: number | null; transactions: number }> = [];
  try {
    const reg = await runOnce('register-load.xml', target, await freePort(), { csvLines: ['SEQUENTIAL', ...USERS.map((u) => `${u};${client.port}`)], calls: USERS.length });
    if (reg.code !== 0) throw new Error(`REGISTER failed: ${reg.errors}`);
    const start = Date.now();
    const end = start + minutes * 60_000;
    let sent = 0;
    let failed = 0;
    for (let w = 0; Date.now() < end; w++) {
      const secs = Math.min(windowSec, Math.max(1, Math.round((end - Date.now()) / 1000)));
      const calls = Math.max(100, Math.ceil((rate * secs) / 100) * 100);
      // each window is a new SIPp process: its pid is part of every message-id, so ids stay fresh
      const run = await runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate, calls, csvLines: imdnCsv(calls) });
      sent += run.successful + run.failed;
      failed += run.failed;
      const proc = sampleProc(pf.pid);
      const h = await health();
      const s = { minute: (Date.now() - start) / 60_000, rssMiB: proc?.rssMiB ?? NaN, sent, failed, p99: run.rttMs.p99, transactions: h.sip.edge?.transactions ?? NaN };
      samples.push(s);
      console.log(`  ${s.minute.toFixed(1).padStart(5)} min  rss ${s.rssMiB.toFixed(1)} MiB  sent ${sent}  failed ${failed}  p99 ${s.p99 ?? '-'} ms  edge transactions ${s.transactions}`);
    }
    // UDP non-INVITE server transactions linger 64·T1 = 32 s after the answer (Timer J)
    console.log('  load stopped; waiting 40 s for the transactions to linger out');
    await new Promise((r) => setTimeout(r, 40_000));
    const left = (await health()).sip.edge;
    const finalRss = sampleProc(pf.pid)?.rssMiB ?? NaN;
    // warm-up: the first quarter of the run (JIT, caches filling up to their bound)
    const warm = samples.filter((s) => s.minute >= minutes / 4);
    const base = warm[0]?.rssMiB ?? samples[0]?.rssMiB ?? NaN;
    const peak = Math.max(...warm.map((s) => s.rssMiB));
    const last = warm.at(-1)?.rssMiB ?? NaN;
    const growth = (last - base) / base;
    const flat = Math.abs(growth) <= 0.1 && (peak - base) / base <= 0.1;
    const leaked = (left?.transactions ?? 0) + (left?.dialogs ?? 0) + (left?.appTransactions ?? 0);
    const summary = {
      minutes, rate, rateFrom: chosen.from, sent, failed, rssAfterWarmUpMiB: base, rssPeakMiB: peak, rssLastMiB: last, rssAfterDrainMiB: finalRss,
      growthPercent: Math.round(growth * 1000) / 10, flatWithin10Percent: flat, edgeAfterDrain: left, leaked, samples,
    };
    console.log(`soak: ${sent} MESSAGEs, ${failed} failed; RSS after warm-up ${base.toFixed(1)} MiB, peak ${peak.toFixed(1)}, last ${last.toFixed(1)} (${summary.growthPercent}%): ${flat ? 'flat within 10 %' : 'NOT flat'}`);
    console.log(`soak: after drain the edge holds ${JSON.stringify(left)}: ${leaked === 0 ? 'no leaked transactions or dialogs' : `${leaked} leaked`}`);
    const out = arg('json');
    if (out) writeFileSync(out, JSON.stringify(summary, null, 2));
    process.exitCode = failed === 0 && flat && leaked === 0 ? 0 : 1;
  } finally {
    await client.stop();
    await pf.stop();
  }
}

await main();
