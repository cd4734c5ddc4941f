// The SQLite writer thread: the decision log's writes (D-250), sessions' rows (D-310) and the
// engine recording's batches (D-312) off the main thread. Batches go to a worker thread
// (sqlite-writer-worker.mjs) with its own connection to the database file, and the promise of a
// batch settles when the worker has committed it (or failed it). Decisions are not on the
// "durable before the answer" path (ARCHITECTURE.md): the live stream carries them at once, the
// database a few ms later, as with the Prisma writes this replaces.
import { WriterThread, type DecisionRowIn, type DecisionWriter } from './writer-thread';
import type { SessionWritePlan } from './sessions';
import type { RecordingRow } from './engine-recording';

const THREAD = new URL('./sqlite-writer-worker.mjs', import.meta.url);

/**
 * Decision rows per transaction. A transaction holds SQLite's write lock, and the main thread's
 * connection gives up after 250 ms (open-client.ts) and answers 503: short transactions keep its
 * durable writes from waiting on this thread, even when the thread is starved of CPU mid-way
 * (D-250 chose 64 rows, 1–2 ms). Each commit also writes every page the rows touched (the table
 * and eight indexes) to the WAL: with 64 rows, commits were a third of this thread's CPU. 512,
 * over the decision log's largest batch (500), makes a batch one transaction of some 15 ms (D-323).
 */
export const ROWS_PER_TRANSACTION = 512;

export class SqliteWriterThread extends WriterThread implements DecisionWriter {
  /** `file`: the SQLite database file (not :memory:, which a second connection cannot share) */
  constructor(file: string, busyTimeoutMs = 5000, rowsPerTransaction = ROWS_PER_TRANSACTION) {
    super(THREAD, { file, busyTimeoutMs, rowsPerTransaction }, 'the SQLite writer thread');
  }

  write(rows: DecisionRowIn[]): Promise<void> {
    return this.send({ rows });
  }

  /**
   * Sessions' rows on the same thread (D-310): the batch is one transaction; the promise settles
   * once it is committed, or rejects when it was rolled back.
   */
  writeSessions(plans: SessionWritePlan[]): Promise<void> {
    return this.send({ sessions: plans });
  }

  /** A recorded batch's row on the same thread (D-312): resolves once it is committed. */
  writeRecording(row: RecordingRow): Promise<void> {
    return this.send({ recording: row });
  }
}
