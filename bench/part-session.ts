// `npm run bench -- session`: session setup. A Controlling Function (SIPp UAC) invites served
// users to CPM sessions; the PF forks each INVITE to the user's two registered clients (two SIPp
// UASs), the CF ACKs the 200 and sends BYE. Rising rates, each step bounded; the figure is the
// highest rate with zero failed calls. A one-call probe runs first: when the PF does not set up
// a session yet, the figure is "not measurable yet" with what the PF answered.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { hotSpots, hotSpotsText, type HotSpots } from './cpu-profile';
import { openDatabase } from '../server/store/database';
import { benchDatabase } from './bench-database';
import { highestHeld, USERS, type Step } from './imdn-throughput';
import { startPfChild } from './pf-child';
import { removeScratch, scratchDir } from './scratch-dir';
import { watchProc } from './proc-stats';
import { runLoad, runOnce, startUas } from './sipp';
import { createPeer } from '../server/store/peers';

const RATES = (process.env.BENCH_SESSION_RATES ?? '50,100,200,300,400,600,800').split(',').map(Number);
const STEP_SEC = Number(process.env.BENCH_STEP_SEC || 6);
/** BENCH_SESSION_PROFILE=1: the PF runs the steps under the V8 CPU profiler (from after the probe); its hot spots go to bench/profiles/session.txt */
const PROFILE = process.env.BENCH_SESSION_PROFILE === '1';

function csv(calls: number): string[] {
  return ['SEQUENTIAL', ...Array.from({ length: calls }, (_, i) => USERS[i % USERS.length])];
}

function firstAnswer(errors: string): string {
  const m = /received '(SIP\/2\.0 \d{3}[^\r\n']*)/.exec(errors);
  if (m) return `the PF answered "${m[1].replace('SIP/2.0 ', '')}"`;
  if (/timeout|Timeout/.test(errors)) return 'no final answer from the PF within 5 s';
  return errors ? errors.split('\n').slice(0, 3).join(' ').slice(0, 300) : 'the call failed';
}

export async function run() {
  const uacPort = await freePort();
  // BENCH_SESSION_DB=postgresql: the PF on a throwaway PostgreSQL of its own (its CPU not counted)
  const { provider, postgres } = await benchDatabase('BENCH_SESSION_DB');
  const dbDir = scratchDir('bench-session');
  const databaseUrl = postgres?.url ?? `file:${dbDir}/pf.db`;
  // The CF is a configured peer (topology), at the address the UAC sends from.
  const db = await openDatabase(databaseUrl);
  try {
    await createPeer(db.store, { role: 'CF', name: 'bench CF (SIPp)', address: `127.0.0.1:${uacPort}` }, 'bench');
  } finally {
    await db.close();
  }
  const profDir = PROFILE ? mkdtempSync(path.join(os.tmpdir(), 'bench-session-prof-')) : undefined;
  const pf = await startPfChild({ databaseUrl, env: { SEED_USERS: USERS.join(','), ...(profDir ? { BENCH_CPU_PROF_DIR: profDir } : {}) } });
  const clients = [startUas('client-invite.xml', await freePort()), startUas('client-invite.xml', await freePort())];
  const target = `127.0.0.1:${pf.sipPort}`;
  let steps: Step[] = [];
  let probe: { code: number | null; errors: string } | undefined;
  try {
    const regLines = ['SEQUENTIAL', ...USERS.flatMap((u) => clients.map((c) => `${u};${c.port}`))];
    const reg = await runOnce('register-load.xml', target, await freePort(), { csvLines: regLines, calls: regLines.length - 1 });
    if (reg.code !== 0) throw new Error(`REGISTER of the bench users failed: ${reg.errors}`);
    probe = await runOnce('cf-invite-bye.xml', target, uacPort, { csvLines: csv(1), calls: 1, timeoutSec: 15 });
    process.stderr.write(`  probe: ${probe.code === 0 ? 'session set up and ended' : `failed: ${firstAnswer(probe.errors)}`}\n`);
    if (probe.code === 0) {
      if (profDir) process.kill(pf.pid, 'SIGUSR2'); // the profiler starts after start-up, the REGISTERs and the probe
      for (const rate of RATES) {
        const calls = Math.ceil((rate * STEP_SEC) / 100) * 100;
        const w = watchProc(pf.pid);
        const r = await runLoad({ scenario: 'cf-invite-bye.xml', target, localPort: uacPort, rate, calls, csvLines: csv(calls) });
        const pw = w.stop();
        const step: Step = { ...r, pf: pw, cpuMsPerCall: r.successful ? Math.round((pw.cpuSec * 1000 * 100) / r.successful) / 100 : undefined };
        steps.push(step);
        process.stderr.write(
          `  session ${rate}/s × ${calls}: ${step.ok ? 'ok' : 'FAILED'} (${r.successful} ok, ${r.failed} failed, ${r.retransmissions} retrans, INVITE→200 p50 ${r.rttMs.p50} p99 ${r.rttMs.p99} ms, PF cpu ${step.pf?.cpuPct}%)\n`,
        );
        if (!step.ok) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  } finally {
    for (const c of clients) await c.stop();
    await pf.stop();
    removeScratch(dbDir);
    await postgres?.stop();
  }
  if (!probe || probe.code !== 0) {
    const why = probe ? firstAnswer(probe.errors) : 'the probe did not run';
    return {
      summary: [`session setup: not measurable yet (${why}); target ≥ 300/s`],
      data: { measurable: false, why, probeErrors: probe?.errors.slice(0, 1500) },
    };
  }
  const profile = profDir ? writeProfile(profDir, steps) : undefined;
  const best = highestHeld(steps);
  const top = steps.filter((s) => s.ok).at(-1);
  return {
    summary: [
      `session setup on ${provider} (INVITE forked to 2 clients, ACK, BYE): highest zero-failure rate ${best}/s (target ≥ 300/s)`,
      top ? `at ${top.rate}/s: INVITE→200 p50 ${top.rttMs.p50} ms, p99 ${top.rttMs.p99} ms; BYE→200 p99 ${top.rtd2Ms?.p99 ?? 'n/a'} ms; PF CPU ${top.pf?.cpuPct}% (${top.cpuMsPerCall} ms per session), RSS ${top.pf?.rssMaxMiB} MiB` : 'no step held',
    ],
    data: { measurable: true, database: provider, highest: best, steps, profile },
  };
}

/** The profiled PF's hot spots, as text in bench/profiles/session.txt. */
function writeProfile(dir: string, steps: Step[]): HotSpots | { error: string } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return { error: 'the profiled PF wrote no .cpuprofile' };
  const hot = hotSpots(path.join(dir, file), 40);
  mkdirSync('bench/profiles', { recursive: true });
  writeFileSync('bench/profiles/session.txt', hotSpotsText(`session setup under the CPU profiler, steps ${steps.map((s) => `${s.rate}/s${s.ok ? '' : ' (failed)'}`).join(', ')}`, hot));
  return hot;
}
