// Graceful shutdown: requests already being handled finish; new ones are turned away with 503 and
// Retry-After so the client tries again (elsewhere or later) instead of losing its message.
export class InFlight {
  private count = 0;
  private idle: Array<() => void> = [];
  draining = false;

  /** Runs a request's handling and counts it until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    return work.finally(() => {
      this.count--;
      if (this.count === 0) for (const r of this.idle.splice(0)) r();
    });
  }

  get size(): number {
    return this.count;
  }

  /** Stops new work and waits for what is in flight, at most timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.count === 0) return;
    await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
