// The engine-call recording (replay and what-if): calls arrive as JSON lines on the request path
// and only join an in-memory batch there; a batch is deflated on libuv's thread pool and written
// as one row, so recording costs the request path a string push. Reading a window inflates the
// rows that overlap it.
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { parseRecordedCall, type RecordedCall } from '../engine/replay/tape';
import type { Db } from './database';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

export interface EngineRecorderOptions {
  /** a batch is written after this long at the latest (default 5 s) */
  flushMs?: number;
  /** or when it holds this many calls (default 4096) */
  maxBatch?: number;
  onError?: (e: unknown, calls: number) => void;
}

export class EngineRecorder {
  private lines: string[] = [];
  private fromAt = 0;
  private toAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (e: unknown, calls: number) => void;

  constructor(private readonly db: Db, opts: EngineRecorderOptions = {}) {
    this.flushMs = opts.flushMs ?? 5000;
    this.maxBatch = opts.maxBatch ?? 4096;
    this.onError = opts.onError ?? ((e, n) => console.error(`engine recording: ${n} calls not written: ${(e as Error)?.message ?? e}`));
  }

  /** one call's line (engine/replay/tape.ts) at epoch ms `at` */
  add(line: string, at: number): void {
    if (this.lines.length === 0) this.fromAt = this.toAt = at;
    this.fromAt = Math.min(this.fromAt, at);
    this.toAt = Math.max(this.toAt, at);
    this.lines.push(line);
    if (this.lines.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** writes what is batched; resolves when every batch so far is written */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return this.writing;
    const batch = { lines: this.lines, fromAt: this.fromAt, toAt: this.toAt };
    this.lines = [];
    this.writing = this.writing.then(() =>
      writeBatch(this.db, batch).catch((e) => this.onError(e, batch.lines.length)),
    );
    return this.writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}

async function writeBatch(db: Db, b: { lines: string[]; fromAt: number; toAt: number }): Promise<void> {
  // UTF-8 keeps latin1 body characters (U+0080..U+00FF) exact: JSON carries them as characters.
  const data = await deflate(Buffer.from(b.lines.join('\n'), 'utf8'), { level: 6 });
  await db.engineRecording.create({ data: { fromAt: new Date(b.fromAt), toAt: new Date(b.toAt), calls: b.lines.length, data } });
}

export interface RecordedBatch {
  fromAt: number;
  toAt: number;
  lines: string[];
}

/**
 * The recorded lines of calls made in [from, to], oldest batch first, a few batches at a time
 * (a long window is not held in memory at once; the caller can show progress per batch).
 */
export async function* recordedBatches(db: Db, from: Date, to: Date, pageSize = 8): AsyncGenerator<RecordedBatch & { done: number; total: number }> {
  const where = { fromAt: { lte: to }, toAt: { gte: from } };
  const total = await db.engineRecording.count({ where });
  let done = 0;
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.engineRecording.findMany({
      where,
      orderBy: [{ fromAt: 'asc' }, { id: 'asc' }],
      take: pageSize,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    });
    if (rows.length === 0) return;
    for (const r of rows) {
      const text = (await inflate(Buffer.from(r.data))).toString('utf8');
      const lo = from.getTime();
      const hi = to.getTime();
      // a line's "at" is its second field: {"p":"…","at":<ms>,…
      const lines = text.split('\n').filter((l) => {
        const m = /"at":(\d+)/.exec(l);
        const at = m ? Number(m[1]) : NaN;
        return at >= lo && at <= hi;
      });
      done++;
      yield { fromAt: r.fromAt.getTime(), toAt: r.toAt.getTime(), lines, done, total };
    }
    cursor = rows[rows.length - 1].id;
  }
}

/** Bytes and calls stored (the bench's figure of the cost on disk). */
export async function recordingSize(db: Db): Promise<{ rows: number; calls: number; bytes: number }> {
  const rows = await db.engineRecording.findMany({ select: { calls: true, data: true } });
  return { rows: rows.length, calls: rows.reduce((n, r) => n + r.calls, 0), bytes: rows.reduce((n, r) => n + r.data.length, 0) };
}

/** Deletes batches whose last call is older than `before`. */
export async function pruneRecordings(db: Db, before: Date): Promise<number> {
  const r = await db.engineRecording.deleteMany({ where: { toAt: { lt: before } } });
  return r.count;
}

/** Every recorded call made in [from, to], parsed, oldest first (for windows that fit in memory). */
export async function recordedCalls(db: Db, from: Date, to: Date): Promise<RecordedCall[]> {
  const out: RecordedCall[] = [];
  for await (const b of recordedBatches(db, from, to)) for (const l of b.lines) out.push(parseRecordedCall(l));
  return out.sort((x, y) => x.at - y.at);
}
