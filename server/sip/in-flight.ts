// Graceful shutdown: requests already being handled finish; new ones are turned away with 503 and
// Retry-After so the client tries again (elsewhere or later) instead of losing its message.
// With an external drachtio-server it also keeps the overload control's counts (D-150, D-345):
// the requests whose handling is running, less those waiting on a MESSAGE sent for them; and the
// requests waiting on such a MESSAGE, whose handling may have ended (a forwarded MESSAGE is
// answered when its own MESSAGE's answer comes, by a callback, not by the handler).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestSender } from './srf-types';

interface Tracked {
  /** MESSAGEs sent for it, not answered yet */
  sends: number;
  done: boolean;
}

/** the tracked request whose work is running, through everything it awaits */
const current = new AsyncLocalStorage<Tracked>();

/**
 * A MESSAGE sent for a request counts as unanswered at most this long: past Timer F (32 s), the
 * stack's own 408 should have come; if srf's connection dropped it never will, and a count that
 * only grew would end in refusing everything.
 */
export const SEND_WAIT_MAX_MS = 40_000;

export class InFlight {
  private count = 0;
  /** tracked requests with a MESSAGE sent for them unanswered */
  private waitingNow = 0;
  /** of those, the ones whose handling is still running (counted in `count` too) */
  private waitingInWork = 0;
  private idle: Array<() => void> = [];
  draining = false;

  /**
   * `sendsFor`: each request's handling runs in a scope of its own so that `sendingFor` can tell
   * what it sends (only the external drachtio-server's setup counts so; the embedded edge counts
   * for itself, and every AsyncLocalStorage in use costs each promise a little)
   */
  constructor(private readonly sendsFor = false) {}

  /** Runs a request's handling and counts it until it settles; with `sendsFor`, what it sends is sent for it. */
  track<T>(work: () => Promise<T>): Promise<T> {
    const t: Tracked = { sends: 0, done: false };
    this.count++;
    let running: Promise<T>;
    try {
      running = this.sendsFor ? current.run(t, work) : work();
    } catch (e) {
      running = Promise.reject(e);
    }
    return running.finally(() => {
      t.done = true;
      if (t.sends > 0) this.waitingInWork--;
      this.count--;
      if (this.count === 0) for (const r of this.idle.splice(0)) r();
    });
  }

  /** requests whose handling is running */
  get size(): number {
    return this.count;
  }

  /** requests whose handling is running and which do not wait on a MESSAGE sent for them */
  get pending(): number {
    return this.count - this.waitingInWork;
  }

  /** requests waiting on a MESSAGE sent for them, their handling ended or not (D-345) */
  get waiting(): number {
    return this.waitingNow;
  }

  /**
   * `inner`, with each MESSAGE sent during a tracked request's work counted for that request until
   * its final answer (or a failure to send): while any is unanswered the request waits on a next
   * hop, not on this PF.
   */
  sendingFor(inner: RequestSender, maxWaitMs = SEND_WAIT_MAX_MS): RequestSender {
    return {
      request: (uri, opts, cb) => {
        const t = current.getStore();
        if (!t || opts.method !== 'MESSAGE') return inner.request(uri, opts, cb);
        this.sent(t, 1);
        let settled = false;
        const settle = () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          this.sent(t, -1);
        };
        const deadline = setTimeout(settle, maxWaitMs).unref();
        inner.request(uri, opts, (err, req) => {
          if (err) settle();
          else req.on('response', (res) => { if (res.status >= 200) settle(); });
          cb(err, req);
        });
      },
    };
  }

  private sent(t: Tracked, delta: 1 | -1): void {
    t.sends += delta;
    const change = delta === 1 && t.sends === 1 ? 1 : delta === -1 && t.sends === 0 ? -1 : 0;
    this.waitingNow += change;
    if (!t.done) this.waitingInWork += change;
  }

  /** Stops new work and waits for what is in flight, at most timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.count === 0) return;
    await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
