// `npm run bench -- imdn`: figures of bench/imdn-throughput.ts.
import { imdnThroughput } from './imdn-throughput';

export async function run() {
  const r = await imdnThroughput();
  const pfSteps = r.steps.pf;
  const top = pfSteps.filter((s) => s.ok).at(-1);
  const summary = [
    `highest zero-failure rate: PF ${r.highest.pf}/s, Kamailio ${r.highest.kamailio ?? 'n/a'}/s, Node.js floor ${r.highest.nodeRelay}/s, edge + srf alone ${r.highest.srfRelay}/s (repeats answered: ${r.highest.srfAnswer}/s), the edge's UA alone answering repeats ${r.highest.uaAnswer ?? 'n/a'}/s, SIPp→SIPp ceiling ${r.highest.ceiling}/s`,
    `PF / Kamailio = ${r.pfVsKamailio ?? 'n/a'} (target ≥ 0.5), PF / ceiling = ${r.pfVsCeiling ?? 'n/a'}`,
    `PF at 1000/s: p50 ${r.pfAt1000?.p50 ?? 'n/a'} ms, p99 ${r.pfAt1000?.p99 ?? 'n/a'} ms (target p99 < 20 ms)`,
    `CPU per MESSAGE (load-independent): PF ${r.cpuMsPerCall.pf ?? 'n/a'} ms, Kamailio ${r.cpuMsPerCall.kamailio ?? 'n/a'} ms (PF costs ${r.cpuMsPerCall.pfOverKamailio ?? 'n/a'}×); one core's worth ≈ ${r.cpuMsPerCall.pf ? Math.round(1000 / r.cpuMsPerCall.pf) : 'n/a'} MESSAGEs/s for the PF`,
    `CPU per MESSAGE of the reference relays: Node.js floor (bench/node-relay.mjs) ${r.cpuMsPerCall.nodeRelay ?? 'n/a'} ms, edge + srf with no PF (bench/srf-relay-process.ts) ${r.cpuMsPerCall.srfRelay ?? 'n/a'} ms, the same answering repeats as the PF does ${r.cpuMsPerCall.srfAnswer ?? 'n/a'} ms, the edge's UA alone answering repeats (bench/ua-relay-process.ts) ${r.cpuMsPerCall.uaAnswer ?? 'n/a'} ms`,
    top?.pf ? `PF at ${top.rate}/s: CPU ${top.pf.cpuPct}% of one core, RSS max ${top.pf.rssMaxMiB} MiB` : 'PF held no step',
  ];
  if (r.overload) {
    summary.push(`overload (offered as multiples of the PF's zero-failure rate, ${r.overload.capacity}/s; goodput = 200s per offered second):`);
    for (const [who, steps] of [['PF', r.overload.pf], ['Kamailio', r.overload.kamailio]] as const) {
      for (const s of steps) summary.push(`  ${who} at ${s.rate}/s (${s.times}×): goodput ${s.goodput}/s (${Math.round(s.goodputOfCapacity * 100)}% of capacity), ${s.answered503} × 503, ${s.unanswered} unanswered, ${s.retransmissions} retransmissions, ${s.kernelUdpDrops ?? 'n/a'} kernel UDP drops, p99 ${s.rttMs.p99} ms, RSS ${s.rssMaxMiB} MiB`);
    }
  }
  if (r.kamailioNote) summary.push(`Kamailio not measured: ${r.kamailioNote}`);
  if (r.profile && 'hot' in r.profile) {
    summary.push(`PF hot spots at ${r.profile.rate}/s (self time, % of samples; busy ${r.profile.hot.busyPct}%):`);
    for (const a of r.profile.hot.areas.slice(0, 8)) summary.push(`  area ${a.area}: ${a.selfPct}%`);
    for (const f of r.profile.hot.functions.slice(0, 10)) summary.push(`  ${f.selfPct}% ${f.name} ${f.where}`);
  }
  return { summary, data: r as unknown as Record<string, unknown> };
}
