// Retention: the decision log and finished deferred items are pruned after a number of days,
// so a long-running PF keeps a bounded database. Sessions, Message Store objects and the audit
// log are kept: they are the user's history and the operator's record.
import type { Db } from './database';
import { pruneRecordings } from './engine-recording';

export interface RetentionPolicy {
  /** decisions older than this many days are deleted */
  decisionDays: number;
  /** delivered or expired deferred items older than this many days are deleted */
  deferredDays: number;
  /** recorded engine calls (replay, what-if) older than this many hours are deleted */
  recordingHours?: number;
}

export interface RetentionResult {
  decisions: number;
  deferred: number;
  recordings?: number;
}

const DAY_MS = 86_400_000;

export async function runRetention(db: Db, policy: RetentionPolicy, now: Date = new Date()): Promise<RetentionResult> {
  const decisionCut = new Date(now.getTime() - policy.decisionDays * DAY_MS);
  const deferredCut = new Date(now.getTime() - policy.deferredDays * DAY_MS);
  const decisions = await db.decision.deleteMany({ where: { at: { lt: decisionCut } } });
  const deferred = await db.deferredItem.deleteMany({
    where: { OR: [{ deliveredAt: { lt: deferredCut } }, { expiredAt: { lt: deferredCut } }] },
  });
  const recordings = policy.recordingHours === undefined ? undefined : await pruneRecordings(db, new Date(now.getTime() - policy.recordingHours * 3_600_000));
  return { decisions: decisions.count, deferred: deferred.count, ...(recordings === undefined ? {} : { recordings }) };
}

export interface RetentionSchedule extends RetentionPolicy {
  db: Db;
  /** how often to run; the first run is right after start */
  intervalMs?: number;
  now?: () => Date;
  onRun?: (r: RetentionResult) => void;
  onError?: (e: unknown) => void;
}

/** Runs retention now and then every intervalMs (default hourly); returns stop(), which waits for a run in progress. */
export function startRetention(s: RetentionSchedule): () => Promise<void> {
  const interval = s.intervalMs ?? 3_600_000;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    // A run slower than the interval is not overlapped: two deletes of the same rows only contend.
    if (stopped || running) return;
    running = runRetention(s.db, s, s.now?.() ?? new Date())
      .then(
        (r) => s.onRun?.(r),
        (e) => s.onError?.(e),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, interval);
  // Retention must never keep the process alive on its own.
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
