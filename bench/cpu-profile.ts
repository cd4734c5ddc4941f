// Reads a V8 .cpuprofile (node --cpu-prof) and names where the time went: self time by function,
// and by area (our server/ folders, npm packages, Node internals, GC, idle).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface HotSpots {
  sampledMs: number;
  busyPct: number;
  functions: { name: string; where: string; selfPct: number }[];
  areas: { area: string; selfPct: number }[];
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/(server|bench)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

export function hotSpots(file: string, top = 15): HotSpots {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const totalHits = prof.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0) || 1;
  const sampledMs = (prof.endTime - prof.startTime) / 1000;
  const byFn = new Map<string, { name: string; where: string; hits: number }>();
  const byArea = new Map<string, number>();
  let idle = 0;
  for (const n of prof.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') idle += hits;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|server|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const e = byFn.get(key) ?? { name, where, hits: 0 };
    e.hits += hits;
    byFn.set(key, e);
    const area = areaOf(url, name);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const pct = (h: number) => Math.round((h / totalHits) * 1000) / 10;
  return {
    sampledMs: Math.round(sampledMs),
    busyPct: pct(totalHits - idle),
    functions: [...byFn.values()].filter((f) => f.name !== '(idle)').sort((a, b) => b.hits - a.hits).slice(0, top).map((f) => ({ name: f.name, where: f.where, selfPct: pct(f.hits) })),
    areas: [...byArea.entries()].filter(([a]) => a !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, h]) => ({ area, selfPct: pct(h) })),
  };
}

/** Hot spots as the text kept in bench/profiles/<name>.txt: `title`, then self time by function and by area. */
export function hotSpotsText(title: string, hot: HotSpots): string {
  return [
    `${title}; ${hot.sampledMs} ms sampled, busy ${hot.busyPct}% of the samples`,
    '',
    'self time by function (% of all samples):',
    ...hot.functions.map((f) => `  ${String(f.selfPct).padStart(5)}  ${f.name}  ${f.where}`),
    '',
    'self time by area:',
    ...hot.areas.map((a) => `  ${String(a.selfPct).padStart(5)}  ${a.area}`),
    '',
  ].join('\n');
}
