// Per-source token buckets: each source address may send `rate` requests a second on average and
// `burst` at once. The table is bounded: when full, the stalest source is forgotten (it starts
// again with a full bucket, which errs on the side of serving).
export interface RateLimit {
  /** sustained requests per second per source; 0 turns limiting off */
  rate: number;
  burst: number;
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSources: number;

  constructor(private readonly limit: RateLimit, private readonly now: () => number = Date.now) {
    this.maxSources = limit.maxSources ?? 50_000;
  }

  /** 0 when the request may pass, else the seconds after which one would (for Retry-After) */
  take(source: string): number {
    if (this.limit.rate <= 0) return 0;
    const now = this.now();
    let b = this.buckets.get(source);
    if (!b) {
      if (this.buckets.size >= this.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.limit.burst, at: now };
    } else this.buckets.delete(source);
    // re-inserted on every use, so Map order is least recently used first
    this.buckets.set(source, b);
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.limit.rate));
  }

  get size(): number {
    return this.buckets.size;
  }
}
