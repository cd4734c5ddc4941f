// Decisions per second by outcome, over a sliding window of one-second buckets; cheap enough to
// sit on the decision hot path (one map increment per decision).
import type { DecisionRecord } from './events';

export interface DecisionRates {
  windowSec: number;
  /** decisions per second over the window, by outcome */
  perSecond: Record<string, number>;
  /** all outcomes, one value per second, oldest first (for a sparkline) */
  series: number[];
  /** decisions since the process started, by outcome */
  totals: Record<string, number>;
}

const BUCKETS = 60;

export class DecisionRate {
  private buckets: Array<{ sec: number; byOutcome: Map<string, number> }> = [];
  private totals = new Map<string, number>();

  constructor(
    private readonly windowSec = 10,
    private readonly now: () => number = Date.now,
  ) {}

  record(d: Pick<DecisionRecord, 'outcome'>): void {
    const sec = Math.floor(this.now() / 1000);
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.sec !== sec) {
      b = { sec, byOutcome: new Map() };
      this.buckets.push(b);
      if (this.buckets.length > BUCKETS) this.buckets.shift();
    }
    b.byOutcome.set(d.outcome, (b.byOutcome.get(d.outcome) ?? 0) + 1);
    this.totals.set(d.outcome, (this.totals.get(d.outcome) ?? 0) + 1);
  }

  read(): DecisionRates {
    const nowSec = Math.floor(this.now() / 1000);
    const perSecond: Record<string, number> = {};
    for (const b of this.buckets) {
      if (b.sec <= nowSec - this.windowSec) continue;
      for (const [o, n] of b.byOutcome) perSecond[o] = (perSecond[o] ?? 0) + n;
    }
    for (const o of Object.keys(perSecond)) perSecond[o] = Math.round((perSecond[o] / this.windowSec) * 100) / 100;
    const series: number[] = [];
    const bySec = new Map(this.buckets.map((b) => [b.sec, b]));
    for (let s = nowSec - BUCKETS + 1; s <= nowSec; s++) {
      let n = 0;
      for (const v of bySec.get(s)?.byOutcome.values() ?? []) n += v;
      series.push(n);
    }
    return { windowSec: this.windowSec, perSecond, series, totals: Object.fromEntries(this.totals) };
  }
}
