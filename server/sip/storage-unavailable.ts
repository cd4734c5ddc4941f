// A write or read the request depends on failed (database locked, unreachable, timed out). The
// request is answered 503 with Retry-After: the sender keeps the message and tries again, and
// nothing was acknowledged that is not stored.
export class StorageUnavailable extends Error {
  constructor(cause: unknown) {
    super(`storage unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StorageUnavailable';
  }
}

export const RETRY_AFTER_SEC = '5';

/**
 * Runs the storage operations requests depend on. After a failure it refuses new operations for
 * `pauseMs` without trying them: a locked SQLite file blocks the event loop for the whole busy
 * timeout on every attempt, and an unreachable server costs a connect timeout each time.
 */
export class StorageGuard {
  private failedAt = -Infinity;

  constructor(private readonly pauseMs = 1000, private readonly now: () => number = Date.now) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.now() - this.failedAt < this.pauseMs) throw new StorageUnavailable(new Error('a recent storage operation failed'));
    try {
      return await op();
    } catch (err) {
      // the store answered and refused (e.g. a full deferred queue): not an outage
      if ((err as { storageHealthy?: boolean })?.storageHealthy) throw err;
      this.failedAt = this.now();
      throw err instanceof StorageUnavailable ? err : new StorageUnavailable(err);
    }
  }
}
