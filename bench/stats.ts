// Percentiles over a list of samples (nearest rank).

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: number[]): { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : null };
}

/** Median of a few timed runs of an async action, in ms. */
export async function timeMedian(runs: number, fn: () => Promise<unknown>): Promise<{ medianMs: number; runsMs: number[] }> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    runsMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const s = [...runsMs].sort((a, b) => a - b);
  return { medianMs: Math.round(s[Math.floor(s.length / 2)] * 10) / 10, runsMs: runsMs.map((x) => Math.round(x * 10) / 10) };
}
