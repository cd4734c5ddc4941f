// The engine-call recording (replay and what-if): calls arrive as JSON lines on the request path;
// every hundred or so lines go into the batch's deflate stream (compressed on libuv's thread pool, so
// the lines die young instead of living in the heap until the batch is written), and a batch is
// written as one row. Reading a window inflates the rows that overlap it.
import { promisify } from 'node:util';
import { createDeflateRaw, inflateRaw, type DeflateRaw } from 'node:zlib';
import { defineByValue, parseBatch, splitBatchText, type RecordedCall, type VersionDefinition } from '../engine/replay/tape';
import type { Db } from './database';

const inflate = promisify(inflateRaw);

export interface EngineRecorderOptions {
  /** a batch is written after this long at the latest (default 5 s) */
  flushMs?: number;
  /** or when it holds this many calls (default 1024: the join and UTF-8 encoding of a batch run on the main thread) */
  maxBatch?: number;
  onError?: (e: unknown, calls: number) => void;
  /** batches waiting for the database at most, the one being written included (default 8); past it a batch is dropped and reported */
  maxPending?: number;
  /**
   * SQLite: the writer thread, which writes each batch's row (D-312). Through Prisma, the driver
   * adapter's debug history (@prisma/debug keeps the last 100 calls' arguments, debugging on or
   * not) kept the last 100 batches' bytes alive on this thread.
   */
  thread?: RecordingRowsThread;
}

/** A batch as its row. */
export interface RecordingRow {
  fromAt: Date;
  toAt: Date;
  calls: number;
  data: Buffer;
}

/** Where batches' rows can be written off this thread (the SQLite writer thread, D-312). */
export interface RecordingRowsThread {
  writeRecording(row: RecordingRow): Promise<void>;
}

/** Lines handed to the deflate stream at once: big enough to keep per-write costs small (128: about 10 µs less per forwarded MESSAGE than 32 in bench/record-micro.ts, 512 no better; D-277). */
const CHUNK_LINES = 128;

/** A batch being filled: its deflate stream and what came out of it so far. */
interface OpenBatch {
  stream: DeflateRaw;
  out: Buffer[];
  ended: Promise<void>;
}

/**
 * zlib's fastest level (D-281): on the recording's JSON it costs about half of level 6's CPU
 * (14 against 25 µs per forwarded MESSAGE's 4 KB) for about a quarter more bytes (224 against 176
 * per forwarded MESSAGE), still under the 300 bytes per MESSAGE the recording may take.
 */
const DEFLATE_LEVEL = 1;

function openBatch(): OpenBatch {
  const stream = createDeflateRaw({ level: DEFLATE_LEVEL });
  const out: Buffer[] = [];
  stream.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  return { stream, out, ended };
}

export class EngineRecorder {
  /** lines not yet handed to the deflate stream */
  private lines: string[] = [];
  private batch: OpenBatch | undefined;
  /** versioned values (the policy, request views, IMDN parts) by object: their definition line is written once per object, not once per call */
  private readonly known = new WeakMap<object, { version: string; line: string; needs?: object }>();
  private nextVersion = 0;
  /** versions defined in the batch being filled */
  private defined = new Set<string>();
  private calls = 0;
  private fromAt = 0;
  private toAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (e: unknown, calls: number) => void;
  private readonly maxPending: number;
  private pending = 0;

  private readonly thread: RecordingRowsThread | undefined;

  constructor(private readonly db: Db, opts: EngineRecorderOptions = {}) {
    this.thread = opts.thread;
    this.flushMs = opts.flushMs ?? 5000;
    this.maxBatch = opts.maxBatch ?? 1024;
    this.maxPending = opts.maxPending ?? 8;
    this.onError = opts.onError ?? ((e, n) => console.error(`engine recording: ${n} calls not written: ${(e as Error)?.message ?? e}`));
  }

  /**
   * The version of a value (tape.ts VERSIONED_ARGS), defined in the current batch on first use.
   * The shell replaces the policy object when it changes and never edits it or a view in place.
   */
  readonly version = (value: object, define: VersionDefinition = defineByValue, needs?: object): string => {
    let k = this.known.get(value);
    if (!k) {
      const version = (this.nextVersion++).toString(36);
      k = { version, line: define(version, value), needs };
      this.known.set(value, k);
    }
    if (!this.defined.has(k.version)) {
      // what the definition refers to goes first, in this batch too (each batch reads alone)
      if (k.needs) this.version(k.needs);
      this.defined.add(k.version);
      this.push(k.line);
    }
    return k.version;
  };

  /** one call's line (engine/replay/tape.ts) at epoch ms `at` */
  add(line: string, at: number): void {
    if (this.calls === 0) this.fromAt = this.toAt = at;
    this.calls++;
    this.fromAt = Math.min(this.fromAt, at);
    this.toAt = Math.max(this.toAt, at);
    this.push(line);
    if (this.calls >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= CHUNK_LINES) this.drain();
  }

  /** hands the pending lines to the batch's deflate stream (UTF-8: latin1 body characters stay exact) */
  private drain(): void {
    if (this.lines.length === 0) return;
    this.batch ??= openBatch();
    this.batch.stream.write(Buffer.from(`${this.lines.join('\n')}\n`, 'utf8'));
    this.lines = [];
  }

  /** writes what is batched; resolves when every batch so far is written */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.calls === 0) return this.writing;
    this.drain();
    const open = this.batch!;
    this.batch = undefined;
    const batch = { open, calls: this.calls, fromAt: this.fromAt, toAt: this.toAt };
    this.calls = 0;
    this.defined = new Set();
    // a database that stalls must not make the recording grow without bound in memory
    if (this.pending >= this.maxPending) {
      open.stream.destroy();
      this.onError(new Error(`${this.pending} batches already wait for the database`), batch.calls);
      return this.writing;
    }
    open.stream.end();
    this.pending++;
    this.writing = this.writing.then(() =>
      writeBatch(this.db, batch, this.thread)
        .catch((e) => this.onError(e, batch.calls))
        .finally(() => this.pending--),
    );
    return this.writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}

async function writeBatch(db: Db, b: { open: OpenBatch; calls: number; fromAt: number; toAt: number }, thread?: RecordingRowsThread): Promise<void> {
  await b.open.ended;
  const row = { fromAt: new Date(b.fromAt), toAt: new Date(b.toAt), calls: b.calls, data: Buffer.concat(b.open.out) };
  if (thread) await thread.writeRecording(row);
  else await db.engineRecording.create({ data: row });
}

export interface RecordedBatch {
  fromAt: number;
  toAt: number;
  lines: string[];
}

/**
 * SQLite keeps times as text (ISO 8601) and compares them as text: a time past year 9999 is
 * written "+275760-…" and sorts before every real one, so "until the end of time" found nothing
 * (D-325). Bounds are held to the years SQLite's text can order.
 */
const EARLIEST = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
function storable(d: Date): Date {
  const t = d.getTime();
  return t > LATEST ? new Date(LATEST) : t < EARLIEST ? new Date(EARLIEST) : d;
}

/**
 * The recorded lines of calls made in [from, to], oldest batch first, a few batches at a time
 * (a long window is not held in memory at once; the caller can show progress per batch).
 */
export async function* recordedBatches(db: Db, from: Date, to: Date, pageSize = 8): AsyncGenerator<RecordedBatch & { done: number; total: number }> {
  const where = { fromAt: { lte: storable(to) }, toAt: { gte: storable(from) } };
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
      // a call line's "at" is its second field: {"p":"…","at":<ms>,…; version lines are kept
      const lines = splitBatchText(text).filter((l) => {
        if (l.startsWith('{"v":')) return true;
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
  for await (const b of recordedBatches(db, from, to)) out.push(...parseBatch(b.lines));
  return out.sort((x, y) => x.at - y.at);
}
