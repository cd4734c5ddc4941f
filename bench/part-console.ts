// `npm run bench -- console`: decision-to-screen latency in a real browser. The whole product
// (PF + console, as `npm start` runs it, on free ports with a throwaway database) takes SIPp IMDN
// load at 1,000 MESSAGEs/s (one decision each); Debian's Chromium under Playwright shows
// /decisions. For every decision row that appears, the page takes the time of the next frame
// after the row entered the DOM, minus the decision's own timestamp (shown in the row, ms
// resolution, same machine clock). Reported: p50/p95/p99 over the rows seen.
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { freePort } from '../e2e/support/ports';
import { startProduct } from '../e2e/support/product';
import { imdnCsv, USERS } from './imdn-throughput';
import { watchProc } from './proc-stats';
import { runLoad, runOnce, startUas } from './sipp';
import { summarize } from './stats';

const RATE = Number(process.env.BENCH_CONSOLE_RATE || 1000);
const SECONDS = Number(process.env.BENCH_CONSOLE_SEC || 10);

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

// Runs in the page before its scripts: stamps each decision row once, at the frame after it appeared.
const OBSERVER = `(() => {
  const w = window;
  w.__lat = [];
  const seen = new Set();
  let pending = [];
  const atOf = (row) => {
    if (row.dataset.at) return Date.parse(row.dataset.at);
    const m = /(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3})/.exec(row.textContent || '');
    if (!m) return NaN;
    const d = new Date();
    let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), +m[1], +m[2], +m[3], +m[4]);
    if (t - Date.now() > 12 * 3600e3) t -= 86400e3;
    return t;
  };
  const flush = () => {
    const now = Date.now();
    for (const r of pending) w.__lat.push([Number(r.seq), now - r.at]);
    pending = [];
  };
  const take = (row) => {
    const seq = row.dataset.seq || (row.textContent || '').trim().split(/\\s/)[0];
    if (!seq || seen.has(seq)) return;
    seen.add(seq);
    const at = atOf(row);
    if (Number.isNaN(at)) return;
    if (pending.length === 0) requestAnimationFrame(flush);
    pending.push({ seq, at });
  };
  const obs = new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.matches('[data-testid="decision-row"]')) take(n);
      for (const r of n.querySelectorAll('[data-testid="decision-row"]')) take(r);
    }
  });
  const start = () => obs.observe(document.documentElement, { childList: true, subtree: true });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();`;

/** Builds the console if stale and starts the product. The work tree's .next is shared with
 *  whoever else builds or tests on this machine: a build running elsewhere can remove it between
 *  our build and our start, so both are retried. */
async function buildAndStart() {
  for (let attempt = 1; ; attempt++) {
    const build = spawnSync(process.execPath, ['scripts/start.mjs', '--build-only'], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      if (build.status !== 0) throw new Error('the console build failed');
      return await startProduct({ SEED_USERS: USERS.join(','), LOG_LEVEL: 'warn', SIP_TRANSPORTS: 'udp' });
    } catch (e) {
      if (attempt >= 4) throw e;
      process.stderr.write(`  console build/start failed (attempt ${attempt}, another build may be running); retrying in 15 s\n`);
      await new Promise((r) => setTimeout(r, 15_000));
    }
  }
}

export async function run() {
  const product = await buildAndStart();
  const client = startUas('uas-message-load.xml', await freePort());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
  try {
    const lines = ['SEQUENTIAL', ...USERS.map((u) => `${u};${client.port}`)];
    const reg = await runOnce('register-load.xml', product.sipTarget, await freePort(), { csvLines: lines, calls: USERS.length });
    if (reg.code !== 0) throw new Error(`REGISTER failed: ${reg.errors}`);
    const page = await browser.newPage();
    await page.addInitScript(OBSERVER);
    await page.goto(`${product.httpUrl}/decisions`);
    await page.getByText('live', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);

    const calls = Math.ceil((RATE * SECONDS) / 100) * 100;
    const pid = Number((await (await fetch(`${product.httpUrl}/api/health`)).json())?.pid ?? 0) || undefined;
    const w = pid ? watchProc(pid) : undefined;
    const t0 = Date.now();
    const load = await runLoad({ scenario: 'uac-imdn-load.xml', target: product.sipTarget, localPort: 0, rate: RATE, calls, csvLines: imdnCsv(calls) });
    const loadSec = (Date.now() - t0) / 1000;
    const proc = w?.stop();
    // let the screen catch up: until no new row for 3 s (at most 30 s)
    let last = -1;
    let still = 0;
    for (let i = 0; i < 60 && still < 6; i++) {
      const n = await page.evaluate(() => (window as unknown as { __lat: unknown[] }).__lat.length);
      still = n === last ? still + 1 : 0;
      last = n;
      await page.waitForTimeout(500);
    }
    const lat = await page.evaluate(() => (window as unknown as { __lat: [number, number][] }).__lat);
    const made = (await (await fetch(`${product.httpUrl}/api/decisions?limit=1`)).json()) as { total?: number };
    const s = summarize(lat.map(([, ms]) => ms));
    const decisionsPerSec = made.total ? Math.round(made.total / loadSec) : null;
    return {
      summary: [
        `SIPp ${RATE}/s × ${calls} IMDN MESSAGEs: ${load.successful} answered 200, ${load.failed} failed; the PF made ${made.total ?? '?'} decisions (${decisionsPerSec ?? '?'}/s over the load)`,
        `decision-to-screen over ${s.n} rows seen: p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms (target p95 < 500 ms)`,
        `SIP response time meanwhile: p50 ${load.rttMs.p50} ms, p99 ${load.rttMs.p99} ms${proc ? `; product process CPU ${proc.cpuPct}%, RSS ${proc.rssMaxMiB} MiB` : ''}`,
      ],
      data: { rate: RATE, calls, load, decisionsMade: made.total ?? null, decisionsPerSec, rowsSeen: s.n, latencyMs: s, product: proc ?? null },
    };
  } finally {
    await browser.close();
    await client.stop();
    await product.stop();
  }
}
