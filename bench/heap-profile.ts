// Reads a V8 sampling heap profile (bench/pf-process.ts with BENCH_HEAP_PROF_DIR) taken with the
// collected objects counted, and names where the bytes were allocated: by function (self), and by
// the nearest function of ours on the stack (server/), which is where a change would go.
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface HeapSpots {
  totalBytes: number;
  functions: { name: string; where: string; bytes: number; pct: number }[];
  ours: { name: string; where: string; bytes: number; pct: number }[];
}

function whereOf(cf: HeapNode['callFrame']): string {
  return cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(node_modules|server|bench)\//, '$1/')}:${cf.lineNumber + 1}` : '';
}

const isOurs = (url: string) => /\/server\//.test(url) && !url.includes('/node_modules/');

export function heapSpots(file: string, top = 25): HeapSpots {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const self = new Map<string, { name: string; where: string; bytes: number }>();
  const ours = new Map<string, { name: string; where: string; bytes: number }>();
  let total = 0;
  const add = (m: typeof self, cf: HeapNode['callFrame'] | undefined, bytes: number) => {
    const name = cf ? cf.functionName || '(anonymous)' : '(no frame of ours)';
    const where = cf ? whereOf(cf) : '';
    const key = `${name}@${where}`;
    const e = m.get(key) ?? { name, where, bytes: 0 };
    e.bytes += bytes;
    m.set(key, e);
  };
  const walk = (n: HeapNode, nearestOurs: HeapNode['callFrame'] | undefined) => {
    const here = isOurs(n.callFrame.url) ? n.callFrame : nearestOurs;
    if (n.selfSize) {
      total += n.selfSize;
      add(self, n.callFrame, n.selfSize);
      add(ours, here, n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, undefined);
  const rank = (m: typeof self) =>
    [...m.values()]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, top)
      .map((e) => ({ ...e, pct: Math.round((e.bytes / (total || 1)) * 1000) / 10 }));
  return { totalBytes: total, functions: rank(self), ours: rank(ours) };
}

/** The profile as text for bench/profiles/: bytes per `perUnit` (one MESSAGE, say) where given. */
export function heapSpotsText(title: string, h: HeapSpots, units: number): string {
  const per = (b: number) => `${(b / units / 1024).toFixed(1).padStart(6)} KB`;
  return [
    `${title}; ${(h.totalBytes / 1024 / 1024).toFixed(1)} MiB allocated while sampled, ${per(h.totalBytes).trim()} per MESSAGE`,
    '',
    'allocated by function (self), per MESSAGE and % of all:',
    ...h.functions.map((f) => `  ${per(f.bytes)} ${String(f.pct).padStart(5)}%  ${f.name}  ${f.where}`),
    '',
    'allocated under the nearest function of server/ on the stack:',
    ...h.ours.map((f) => `  ${per(f.bytes)} ${String(f.pct).padStart(5)}%  ${f.name}  ${f.where}`),
    '',
  ].join('\n');
}
