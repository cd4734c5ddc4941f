// Sessions written behind the steps that change them (issue 17, D-306). A session step used to
// await its own transaction: a read of the session row, a read of its legs, then the writes, one
// SQLite transaction per step, on the thread that carries all SIP. Now a step hands the session's
// new value over and goes on; values wait a few milliseconds, the latest value of each session
// replaces the ones before it, and one transaction writes them all. What this process wrote last
// is kept, so the writes need no reads. `onWritten` runs once a value is committed (the console's
// events go out then, so what it reads is there).
import type { CpmSession } from '../engine/model';
import type { Db } from './database';
import { NO_ROWS, planSessionWrite, writeSession, type SessionWritePlan, type UpsertSessionOptions, type WrittenSession } from './sessions';

/** Where planned rows can be written off this thread (the SQLite writer thread, D-310). */
export interface SessionRowsThread {
  writeSessions(plans: SessionWritePlan[]): Promise<void>;
}

export interface SessionWriterOptions {
  /** how long a value waits for others to share its transaction */
  delayMs?: number;
  /** sessions per transaction at most (a transaction holds SQLite's write lock) */
  maxBatch?: number;
  onWritten?: (session: CpmSession) => void;
  onError?: (e: unknown, sessionIds: string[]) => void;
  /**
   * SQLite: the writer thread. A batch whose every session's rows are known here (written by
   * this process, or created here) is planned on this thread and written on that one (D-310);
   * any other batch reads first, through Prisma.
   */
  thread?: SessionRowsThread;
}

interface Pending {
  userId: string;
  session: CpmSession;
  opts: UpsertSessionOptions;
  /** transactions this value was in that failed */
  failures: number;
  /** it lacks a leg the value before it held: the step that dropped the leg is written, not replaced */
  dropsLegs: boolean;
}

/** a value whose transaction failed is tried again with the next batch, this many times in all */
const ATTEMPTS = 3;

export class SessionWriter {
  private pending = new Map<string, Pending>();
  private readonly written = new Map<string, WrittenSession>();
  /** sessions created here whose first value is not committed yet: no rows to read (D-308) */
  private readonly created = new Set<string>();
  /** the last value handed over of each session, written or not */
  private readonly handed = new Map<string, CpmSession>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly delayMs: number;
  private readonly maxBatch: number;
  /** values handed over, values replaced by a later one before being written, transactions */
  readonly counts = { values: 0, coalesced: 0, transactions: 0, failed: 0 };

  constructor(private readonly db: Db, private readonly opts: SessionWriterOptions = {}) {
    this.delayMs = opts.delayMs ?? 10;
    this.maxBatch = opts.maxBatch ?? 64;
  }

  /**
   * Hands over a session's new value; it is written within delayMs (or with the next batch).
   * `created`: this process made the session now (a fresh id), so the database has no rows of it.
   */
  write(userId: string, session: CpmSession, opts: UpsertSessionOptions = {}, created = false): void {
    this.counts.values++;
    if (created) this.created.add(session.id);
    let before = this.pending.get(session.id);
    const last = this.handed.get(session.id);
    const dropsLegs = last !== undefined && !last.legs.every((l) => session.legs.some((n) => n.id === l.id));
    this.handed.set(session.id, session);
    // A leg dropped from the value is marked TERMINATED at the step that dropped it: the values on
    // either side of that step are written, not replaced (rare: legs mostly stay, TERMINATED).
    if (before && (before.dropsLegs || dropsLegs)) {
      this.flush();
      before = undefined;
    }
    if (before) {
      this.counts.coalesced++;
      opts = {
        ...opts,
        // the Reason of a leg's release first given stays (as a row keeps the first one written)
        releaseReasons: { ...opts.releaseReasons, ...before.opts.releaseReasons },
        // and what happened in the replaced steps keeps the time it happened
        firstAt: firstTimes(before.session, before.opts),
      };
    }
    this.pending.set(session.id, { userId, session, opts, failures: 0, dropsLegs });
    this.schedule();
  }

  private schedule(): void {
    if (this.pending.size >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** The session is gone from this process: what was written of it is forgotten after any write in flight. */
  forget(sessionId: string): void {
    this.handed.delete(sessionId);
    this.chain = this.chain.then(() => {
      this.written.delete(sessionId);
      this.created.delete(sessionId);
    });
  }

  /** Writes what is waiting now; resolves once everything handed over so far is written. */
  settled(): Promise<void> {
    this.flush();
    return this.chain;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    // at most maxBatch values: schedule() flushes as soon as that many wait
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.chain = this.chain.then(() => this.writeBatch(batch));
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const now = new Map<string, WrittenSession>();
    try {
      this.counts.transactions++;
      const priors = batch.map((p) => this.lastOf(p.session.id));
      const thread = this.opts.thread;
      if (thread && priors.every((x) => x !== undefined)) {
        const plans: SessionWritePlan[] = [];
        batch.forEach((p, i) => {
          const { plan, written } = planSessionWrite(p.userId, p.session, p.opts, priors[i]!);
          plans.push(plan);
          now.set(p.session.id, written);
        });
        await thread.writeSessions(plans);
      } else {
        await this.db.$transaction(async (tx) => {
          for (const [i, p] of batch.entries()) now.set(p.session.id, await writeSession(tx as unknown as Db, p.userId, p.session, p.opts, priors[i]));
        });
      }
    } catch (e) {
      // what was written is not known now: the next write of these sessions reads first (a
      // created session's rows are still absent: its transaction was rolled back)
      for (const p of batch) this.written.delete(p.session.id);
      if (batch.length > 1) {
        // one bad value must not keep the others out: each is tried alone, in order, now
        for (const p of batch) await this.writeBatch([p]);
        return;
      }
      const p = batch[0];
      this.counts.failed++;
      this.opts.onError?.(e, [p.session.id]);
      // tried again while it is still the session's latest value (a newer one replaces it)
      if (p.failures + 1 < ATTEMPTS && this.handed.get(p.session.id) === p.session && !this.pending.has(p.session.id)) {
        this.pending.set(p.session.id, { ...p, failures: p.failures + 1 });
        this.schedule();
      }
      return;
    }
    for (const p of batch) {
      this.written.set(p.session.id, now.get(p.session.id)!);
      this.created.delete(p.session.id);
      this.opts.onWritten?.(p.session);
    }
  }

  private lastOf(sessionId: string): WrittenSession | typeof NO_ROWS | undefined {
    return this.written.get(sessionId) ?? (this.created.has(sessionId) ? NO_ROWS : undefined);
  }
}

/**
 * When a value replaces `before` unwritten: the times at which what `before` (and the values it
 * replaced) already showed first happened, so the written row says when each thing happened, not
 * when the last of the steps did. Rows already written keep their times anyway (writeSession).
 */
function firstTimes(before: CpmSession, opts: UpsertSessionOptions): NonNullable<UpsertSessionOptions['firstAt']> {
  const at = opts.now ?? new Date();
  const prev = opts.firstAt ?? {};
  const legSeen = new Map(prev.legSeen);
  const legEnded = new Map(prev.legEnded);
  for (const l of before.legs) {
    if (!legSeen.has(l.id)) legSeen.set(l.id, at);
    if (l.state === 'TERMINATED' && !legEnded.has(l.id)) legEnded.set(l.id, at);
  }
  return {
    session: prev.session ?? at,
    // a row's endedAt is cleared when a step leaves RELEASED, so only an unbroken RELEASED counts
    released: before.mode === 'RELEASED' ? (prev.released ?? at) : undefined,
    leftReleased: prev.leftReleased || before.mode !== 'RELEASED',
    legSeen,
    legEnded,
  };
}
