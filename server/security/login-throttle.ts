// Slows password guessing: after MAX_FAILURES failed logins for one name from one address within
// the window, further attempts are refused (429) until the window passes. Bounded in memory.
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60 * 1000;
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** seconds to wait, or 0 when an attempt is allowed */
  retryAfter(username: string, address: string): number {
    const f = this.failures.get(`${address}|${username}`);
    if (!f) return 0;
    const left = f.since + WINDOW_MS - this.now();
    if (left <= 0) {
      this.failures.delete(`${address}|${username}`);
      return 0;
    }
    return f.count >= MAX_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  failed(username: string, address: string): void {
    const key = `${address}|${username}`;
    const f = this.failures.get(key);
    if (f && f.since + WINDOW_MS > this.now()) f.count++;
    else {
      if (this.failures.size >= MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, { count: 1, since: this.now() });
    }
  }

  succeeded(username: string, address: string): void {
    this.failures.delete(`${address}|${username}`);
  }
}
