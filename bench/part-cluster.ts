// `npm run bench -- cluster` (issue 19): the IMDN rate of one PF instance beside the combined rate
// of two, each time behind the same Kamailio dispatcher (scripts/cluster.mjs: one PostgreSQL,
// Redis, the whole product per instance), in the same run. The traffic is bench/imdn-throughput's
// (each message-id twice: half forwarded, half suppressed as duplicates), spread over 100 users so
// that the served-user hash splits them about evenly. Rising rates; a step holds when every call
// got its 200 and SIPp kept at least 90% of the asked rate.
import { freePort } from '../e2e/support/ports';
import { startCluster } from '../scripts/cluster.mjs';
import { highestHeld, type Step } from './imdn-throughput';
import { processTree, watchProc } from './proc-stats';
import { runLoad, runOnce, startUas } from './sipp';

const USERS = Array.from({ length: 100 }, (_, i) => `c${i}`);
const RATES = (process.env.BENCH_CLUSTER_RATES ?? '250,500,750,1000,1250,1500,1750,2000,2500,3000').split(',').map(Number).filter((n) => n > 0);
const STEP_SEC = Number(process.env.BENCH_STEP_SEC || 6);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function csv(calls: number): string[] {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < calls; i++) lines.push(`${USERS[(i >> 1) % USERS.length]};k${i >> 1}`);
  return lines;
}

async function measure(instances: number): Promise<{ steps: Step[]; highest: number; split: number[] }> {
  const cluster = await startCluster({ instances, users: USERS, pfEnv: { LOG_LEVEL: 'warn' } });
  const uas = startUas('uas-message-load.xml', await freePort());
  try {
    const target = `127.0.0.1:${cluster.kamailio.port}`;
    const reg = await runOnce('register-load.xml', target, await freePort(), { csvLines: ['SEQUENTIAL', ...USERS.map((u) => `${u};${uas.port}`)], calls: USERS.length });
    if (reg.code !== 0) throw new Error(`REGISTER through Kamailio failed: ${reg.errors}`);
    const pids = [...cluster.pfs.map((p) => p.daemon.pid), ...processTree(cluster.kamailio.daemon.pid)];
    const steps: Step[] = [];
    for (const rate of RATES) {
      const calls = Math.ceil((rate * STEP_SEC) / 100) * 100;
      const run = async (): Promise<Step> => {
        const w = watchProc(pids);
        const r = await runLoad({ scenario: 'uac-imdn-load.xml', target, localPort: 0, rate, calls, csvLines: csv(calls) });
        return { ...r, pf: w.stop() };
      };
      let step = await run();
      if (!step.ok) {
        // a shared machine can starve SIPp for a moment: one more try
        await sleep(3000);
        step = { ...(await run()), retried: true };
      }
      steps.push(step);
      process.stderr.write(`  ${instances} PF(s) ${rate}/s × ${calls}: ${step.ok ? 'ok' : 'FAILED'} (${step.successful} ok, ${step.failed} failed, achieved ${step.achievedRate}/s, p50 ${step.rttMs.p50} ms, p99 ${step.rttMs.p99} ms, PFs+Kamailio cpu ${step.pf?.cpuPct}%)\n`);
      if (!step.ok) break;
      await sleep(1000);
    }
    // how the hash split the users: REGISTERs each instance answered, from its own decisions
    const split = await Promise.all(cluster.pfs.map(async (p) => {
      const login = await fetch(`${p.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cluster.admin) });
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const o = (await (await fetch(`${p.httpUrl}/api/overview`, { headers: { cookie } })).json().catch(() => ({}))) as { registrations?: number };
      return o.registrations ?? -1;
    }));
    return { steps, highest: highestHeld(steps), split };
  } finally {
    await uas.stop();
    await cluster.stop();
  }
}

export async function run() {
  const one = await measure(1);
  const two = await measure(2);
  const ratio = one.highest ? Math.round((two.highest / one.highest) * 100) / 100 : null;
  const summary = [
    `highest zero-failure IMDN rate behind Kamailio: 1 PF ${one.highest}/s, 2 PFs ${two.highest}/s combined (× ${ratio ?? 'n/a'})`,
    `users per instance (registrations): 1 PF ${one.split.join('/')}, 2 PFs ${two.split.join('/')}`,
    'indicative: 2 cores shared by SIPp (both sides), Kamailio, the PFs, PostgreSQL and Redis',
  ];
  return { summary, data: { one, two, ratio, users: USERS.length, stepSec: STEP_SEC } };
}
