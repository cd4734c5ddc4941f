// The shell's side of the overload verdict (D-150, D-348): it keeps the one reading that needs a
// memory, since when the pending count has stood high, and hands the pure verdict the headroom
// with it. One gate per place that admits requests (the edge's thread, the main thread).
import { overloadVerdict, pendingHighSince, type OfferedRequest, type OverloadLimits, type OverloadVerdict } from './overload';

export interface Measured {
  lagMs: number;
  pending: number;
  waiting: number;
}

export class OverloadGate {
  private highSince: number | undefined;

  constructor(private readonly limits: OverloadLimits, private readonly now: () => number = () => performance.now()) {}

  /** The verdict on an offered request; every request offered is a reading of the pending count. */
  verdict(req: OfferedRequest, m: Measured): OverloadVerdict {
    const t = this.now();
    this.highSince = pendingHighSince(this.highSince, m.pending, this.limits.maxPending, t);
    return overloadVerdict(req, { lagMs: m.lagMs, pending: m.pending, waiting: m.waiting, pendingHighMs: this.highSince === undefined ? 0 : t - this.highSince }, this.limits);
  }
}
