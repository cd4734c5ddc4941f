// The decision log: every engine decision gets an event id, goes out live at once, and is written
// to the database in batches so that logging never caps SIP throughput.
import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import type { StoreProvider } from './open-client';
import type { DecisionRecord } from '../live/events';
import type { DecisionWriter } from './decision-writer';

export interface DecisionLogOptions {
  flushMs?: number;
  maxBatch?: number;
  /** the database's kind (OpenDatabase.provider); found out with one query when not given */
  provider?: StoreProvider;
  /** a batch that could not be written (it is dropped; the live stream already carried it) */
  onError?: (e: unknown, batch: DecisionRecord[]) => void;
  /** writes the batches instead of Prisma (SQLite: a worker thread, D-250); closed with the log */
  writer?: DecisionWriter;
}

const COLUMNS = ['id', 'seq', 'at', 'userId', 'procedure', 'branch', 'outcome', 'summary', 'messageId', 'disposition', 'callId', 'sessionId', 'inputs']
  .map((c) => `"${c}"`)
  .join(', ');
// 13 parameters a row: far below SQLite's 32766 and PostgreSQL's 65535 per statement.
const INSERT_CHUNK = 512;

/**
 * Row counts of the INSERTs that write `n` rows: powers of two, at most INSERT_CHUNK, largest
 * first. Prisma keeps every distinct statement text it is given; one text per batch size (1–500)
 * kept about 70 MiB alive under load, ten texts keep almost nothing.
 */
export function insertChunks(n: number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; ) {
    const size = Math.min(INSERT_CHUNK, 2 ** Math.floor(Math.log2(left)));
    out.push(size);
    left -= size;
  }
  return out;
}

/** Prisma's SQLite DateTime text: ISO 8601 with an explicit +00:00 offset. */
const sqliteDateTime = (iso: string) => new Date(iso).toISOString().replace('Z', '+00:00');
/** TIMESTAMP(3) without time zone, holding UTC as Prisma does. */
const postgresTimestamp = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');

async function detectProvider(db: Db): Promise<StoreProvider> {
  try {
    await db.$queryRawUnsafe('SELECT sqlite_version()');
    return 'sqlite';
  } catch {
    return 'postgresql';
  }
}

export class DecisionLog {
  private nextSeq = 1;
  private queue: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (e: unknown, batch: DecisionRecord[]) => void;
  private readonly provider: Promise<StoreProvider>;
  private readonly writer: DecisionWriter | undefined;

  constructor(private readonly db: Db, private readonly userIds: (aor: string) => string | undefined, opts: DecisionLogOptions = {}) {
    this.flushMs = opts.flushMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
    this.provider = opts.provider ? Promise.resolve(opts.provider) : detectProvider(db);
    this.writer = opts.writer;
    this.onError = opts.onError ?? ((e, batch) => console.error(`decision log: ${batch.length} decisions not written: ${(e as Error)?.message ?? e}`));
  }

  /** continue numbering after what is already stored */
  async init(): Promise<void> {
    const last = await this.db.decision.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    this.nextSeq = (last?.seq ?? 0) + 1;
  }

  append(d: Omit<DecisionRecord, 'seq'>): DecisionRecord {
    const rec: DecisionRecord = { ...d, seq: this.nextSeq++ };
    this.queue.push(rec);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    return rec;
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.write(batch).then(
        () => undefined,
        // One failed batch must not poison the chain: later batches still get written.
        (e) => this.onError(e, batch),
      ),
    );
    return this.flushing;
  }

  // Prisma's createMany costs about 0.6 ms of CPU per row here (its query plan is built per
  // call and per row count); one parameterised multi-row INSERT costs a tenth of that. Columns
  // are written exactly as Prisma writes them, so Prisma reads the rows back unchanged.
  private async write(batch: DecisionRecord[]): Promise<void> {
    // the same row values as below, made by the writer (server/store/decision-writer-thread.mjs)
    if (this.writer) return this.writer.write(batch.map((d) => ({ ...d, id: randomUUID(), userId: d.servedUser ? this.userIds(d.servedUser) ?? null : null })));
    const provider = await this.provider;
    let i = 0;
    for (const size of insertChunks(batch.length)) {
      const rows = batch.slice(i, i + size);
      i += size;
      const params: unknown[] = [];
      const tuples = rows.map((d) => {
        const values = [
          randomUUID(),
          d.seq,
          provider === 'sqlite' ? sqliteDateTime(d.at) : postgresTimestamp(d.at),
          d.servedUser ? this.userIds(d.servedUser) ?? null : null,
          d.procedure,
          d.branch,
          d.outcome,
          d.summary,
          d.messageId,
          d.disposition,
          d.callId,
          d.sessionId ?? null,
          JSON.stringify(d.inputs),
        ];
        const marks = values.map((v, j) => {
          params.push(v);
          if (provider === 'sqlite') return '?';
          return j === 2 ? `$${params.length}::timestamp(3)` : j === 1 ? `$${params.length}::integer` : `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await this.db.$executeRawUnsafe(`INSERT INTO "Decision" (${COLUMNS}) VALUES ${tuples.join(', ')}`, ...params);
    }
  }

  async since(afterSeq: number, limit: number): Promise<DecisionRecord[]> {
    await this.flush();
    const rows = await this.db.decision.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: limit,
      include: { user: { select: { aor: true } } },
    });
    return rows.map(decisionRecordOf);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer?.close();
  }
}

export type DecisionRow = Awaited<ReturnType<Db['decision']['findMany']>>[number] & { user: { aor: string } | null };

/** A stored decision as the live stream and the console carry it. */
export function decisionRecordOf(r: DecisionRow): DecisionRecord {
  let inputs: Record<string, unknown>;
  try {
    inputs = JSON.parse(r.inputs) as Record<string, unknown>;
  } catch {
    inputs = { unreadable: r.inputs };
  }
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    servedUser: r.user?.aor ?? null,
    procedure: r.procedure,
    branch: r.branch,
    outcome: r.outcome,
    summary: r.summary,
    messageId: r.messageId,
    disposition: r.disposition,
    callId: r.callId,
    sessionId: r.sessionId ?? null,
    inputs,
  };
}
