// The shell's side of the overload verdict (D-150, D-348): it keeps the one reading that needs a
// memory, since when the pending count has stood high (watchPending), and hands the pure verdict
// the headroom with it. One gate per place that admits requests (the edge's thread, the main
// thread).
import { overloadVerdict, watchPending, type OfferedRequest, type OverloadLimits, type OverloadVerdict, type PendingWatch } from './overload';

export interface Measured {
  lagMs: number;
  pending: number;
  waiting: number;
}

export class OverloadGate {
  private watch: PendingWatch = {};

  constructor(private readonly limits: OverloadLimits, private readonly now: () => number = () => performance.now()) {}

  /** The verdict on an offered request; every request offered is a reading of the pending count. */
  verdict(req: OfferedRequest, m: Measured): OverloadVerdict {
    const t = this.now();
    // the calm that ends a standing queue is as long as the grace that lets a burst through
    this.watch = watchPending(this.watch, m.pending, this.limits.maxPending, this.limits.pendingGraceMs, t);
    const since = this.watch.highSince;
    return overloadVerdict(req, { lagMs: m.lagMs, pending: m.pending, waiting: m.waiting, pendingHighMs: since === undefined ? 0 : t - since }, this.limits);
  }
}
