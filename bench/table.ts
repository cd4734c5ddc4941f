// Prints the figures table of docs/BENCHMARKS.md from bench/results/*.json:
// `node --import tsx bench/table.ts`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './results';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function load(name: string): any {
  const f = path.join(RESULTS_DIR, `${name}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
}

const rows: string[][] = [];
const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'missed');

const imdn = load('imdn');
if (imdn) {
  const h = imdn.highest;
  rows.push(['IMDN zero-failure rate, PF', `${h.pf}/s`, `≥ 0.5 × Kamailio`, verdict(h.kamailio ? h.pf >= 0.5 * h.kamailio : null)]);
  rows.push(['IMDN zero-failure rate, stateful Kamailio', h.kamailio === null ? 'not measured' : `${h.kamailio}/s`, 'reference', '']);
  if (h.nodeRelay !== undefined) rows.push(['IMDN zero-failure rate, Node.js floor (bench/node-relay.mjs); edge + srf, no PF (relaying all; repeats answered)', `${h.nodeRelay}/s; ${h.srfRelay}/s; ${h.srfAnswer === undefined ? 'n/a' : `${h.srfAnswer}/s`}`, 'reference', '']);
  if (h.uaAnswer !== undefined) rows.push(["IMDN zero-failure rate, the edge's UA alone, no control protocol, no srf (repeats answered)", `${h.uaAnswer}/s`, 'reference', '']);
  rows.push(['IMDN zero-failure rate, SIPp → SIPp ceiling', `${h.ceiling}/s`, 'reference', '']);
  rows.push(['PF / Kamailio; PF / ceiling', `${imdn.pfVsKamailio ?? 'n/a'}; ${imdn.pfVsCeiling ?? 'n/a'}`, '≥ 0.5 (Kamailio)', '']);
  const c = imdn.cpuMsPerCall;
  if (c) rows.push(['CPU per MESSAGE (load-independent): PF; Kamailio (all workers)', `${c.pf ?? 'n/a'} ms; ${c.kamailio ?? 'n/a'} ms (PF ${c.pfOverKamailio ?? 'n/a'}×)`, '', '']);
  if (c?.nodeRelay !== undefined) rows.push(['CPU per MESSAGE: Node.js floor (a transaction-stateful relay, nothing else); edge + srf, no PF (relaying all; repeats answered)', `${c.nodeRelay ?? 'n/a'} ms; ${c.srfRelay ?? 'n/a'} ms; ${c.srfAnswer ?? 'n/a'} ms`, 'reference', '']);
  if (c?.uaAnswer !== undefined) rows.push(["CPU per MESSAGE: the edge's UA alone, no control protocol, no srf (repeats answered)", `${c.uaAnswer ?? 'n/a'} ms`, 'reference', '']);
  const s1000 = imdn.steps.pf.find((s: { rate: number }) => s.rate === 1000);
  rows.push([
    'PF MESSAGE→200 at 1,000/s, p50 / p99',
    s1000 ? `${s1000.rttMs.p50} / ${s1000.rttMs.p99} ms${s1000.ok ? '' : ` (step failed: ${s1000.successful}/${s1000.calls} answered)`}` : 'not reached (stopped at a lower failing step)',
    'p99 < 20 ms',
    verdict(s1000 ? s1000.ok && s1000.rttMs.p99 < 20 : false),
  ]);
  for (const s of imdn.overload?.pf ?? []) {
    const k = imdn.overload.kamailio.find((x: { times: number }) => x.times === s.times);
    rows.push([
      `Overload ${s.times}× (${s.rate}/s offered): PF goodput; 503s; unanswered; RSS${k ? ' — Kamailio at the same rate' : ''}`,
      `${s.goodput}/s (${Math.round(s.goodputOfCapacity * 100)}% of ${imdn.overload.capacity}/s); ${s.answered503}; ${s.unanswered}; ${s.rssMaxMiB} MiB${k ? ` — ${k.goodput}/s, ${k.answered503}, ${k.unanswered}, ${k.rssMaxMiB} MiB` : ''}`,
      'goodput ≥ 90%, rest 503, RSS < 600 MB',
      verdict(s.goodputOfCapacity >= 0.9 && s.unanswered === 0 && s.rssMaxMiB * 1.048576 < 600),
    ]);
  }
  const top = imdn.steps.pf.filter((s: { ok: boolean }) => s.ok).at(-1);
  if (top) rows.push([`PF at ${top.rate}/s: p50 / p99; CPU; RSS`, `${top.rttMs.p50} / ${top.rttMs.p99} ms; ${top.pf.cpuPct}% of a core; ${top.pf.rssMaxMiB} MiB`, '', '']);
}
const session = load('session');
if (session) {
  rows.push(['Session setup (INVITE forked to 2 clients + BYE), zero-failure rate', session.measurable ? `${session.highest}/s` : `not measurable yet (${session.why})`, '≥ 300/s', session.measurable ? verdict(session.highest >= 300) : 'n/a']);
  const top = session.measurable ? session.steps.filter((s: { ok: boolean }) => s.ok).at(-1) : undefined;
  if (top) rows.push([`Session at ${top.rate}/s: INVITE→200 p50 / p99; CPU per session`, `${top.rttMs.p50} / ${top.rttMs.p99} ms; ${top.cpuMsPerCall ?? 'n/a'} ms`, '', '']);
}
const mem = load('memory');
if (mem) rows.push(['RSS with 1,000,000 cached IMDN ids', `${mem.after.rssMiB} MiB (+${mem.deltaRssMiB} MiB, ${mem.bytesPerEntry} B/entry)`, '< 300 MB', verdict(mem.after.rssMiB * 1.048576 < 300)]);
const con = load('console');
if (con) {
  rows.push(['Decision-to-screen p95 under SIPp IMDN load', `${con.latencyMs.p95} ms (p50 ${con.latencyMs.p50}, p99 ${con.latencyMs.p99}; ${con.rowsSeen} rows; ${con.decisionsPerSec ?? '?'} decisions/s made)`, 'p95 < 500 ms', verdict(con.latencyMs.p95 !== null && con.latencyMs.p95 < 500)]);
}
const cluster = load('cluster');
if (cluster) {
  rows.push(['IMDN zero-failure rate behind Kamailio: 1 PF; 2 PFs combined (same run)', `${cluster.one.highest}/s; ${cluster.two.highest}/s (× ${cluster.ratio ?? 'n/a'}; users ${cluster.two.split.join('/')})`, 'indicative', '']);
}
const store = load('store');
if (store) {
  for (const r of store.results) {
    const first = r.what.startsWith('decisions: first page');
    rows.push([`${r.what} (${store.rows.toLocaleString('en')} rows)`, `${r.medianMs} ms (cold ${r.coldMs} ms) — ${r.via}`, first ? '< 1 s' : '', first ? verdict(r.medianMs < 1000) : '']);
  }
}
const msrp = load('msrp');
if (msrp) {
  for (const l of msrp.loads as Array<{ name: string }>) {
    const m = msrp.rows.find((r: { load: string; relay: string }) => r.load === l.name && r.relay === 'msrp');
    const p = msrp.rows.find((r: { load: string; relay: string }) => r.load === l.name && r.relay === 'plain');
    rows.push([`MSRP relay, ${l.name}: messages/s; MB/s; relay CPU per message — plain TCP relay`, `${m.perSec.toLocaleString('en')}/s; ${m.mbPerSec} MB/s; ${m.relayCpuUsPerMsg} µs — ${p.perSec.toLocaleString('en')}/s; ${p.mbPerSec} MB/s; ${p.relayCpuUsPerMsg} µs`, 'reference', '']);
  }
}
process.stdout.write(['| figure | measured | target | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n');
