// The decision log: every engine decision gets an event id, goes out live at once, and is written
// to the database in batches so that logging never caps SIP throughput.
import type { Db } from './database';
import type { StoreProvider } from './open-client';
import type { DecisionRecord } from '../live/events';
import { decisionRowId, DecisionIds, freeSlot, reclaimableSlot, SLOT_RENEW_MS, SLOTS } from './decision-ids';
import type { DecisionRowIn, DecisionWriter } from './writer-thread';
import { decisionInsert } from './decision-insert-sql.mjs';

export interface DecisionLogOptions {
  /** this PF instance's name (config.instance): its decisions carry it, its ids use its slot (D-230) */
  instance?: string;
  /** the clock event ids follow (tests) */
  now?: () => number;
  flushMs?: number;
  maxBatch?: number;
  /** the database's kind (OpenDatabase.provider); found out with one query when not given */
  provider?: StoreProvider;
  /** a batch that could not be written (it is dropped; the live stream already carried it) */
  onError?: (e: unknown, batch: DecisionRecord[]) => void;
  /** writes the batches instead of Prisma (a worker thread: SQLite D-250, PostgreSQL D-337); its owner closes it, not the log (D-325) */
  writer?: DecisionWriter;
}

// 14 parameters a row: far below SQLite's 32766 and PostgreSQL's 65535 per statement.
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

async function detectProvider(db: Db): Promise<StoreProvider> {
  try {
    await db.$queryRawUnsafe('SELECT sqlite_version()');
    return 'sqlite';
  } catch {
    return 'postgresql';
  }
}

/** Per instance, the last event id a console holds: resume each instance exactly (D-230). */
export type ResumeCursor = Record<string, number>;

export class DecisionLog {
  /** decisions per batch unless told otherwise: the SQLite writer thread commits one in one transaction (D-323) */
  static readonly MAX_BATCH_DEFAULT = 500;
  private ids: DecisionIds | undefined;
  private renew: NodeJS.Timeout | undefined;
  readonly instance: string;
  private readonly now: () => number;
  private queue: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (e: unknown, batch: DecisionRecord[]) => void;
  private readonly provider: Promise<StoreProvider>;
  private readonly writer: DecisionWriter | undefined;

  constructor(private readonly db: Db, private readonly userIds: (aor: string) => string | undefined, opts: DecisionLogOptions = {}) {
    this.instance = opts.instance ?? '';
    this.now = opts.now ?? Date.now;
    this.flushMs = opts.flushMs ?? 50;
    this.maxBatch = opts.maxBatch ?? DecisionLog.MAX_BATCH_DEFAULT;
    this.provider = opts.provider ? Promise.resolve(opts.provider) : detectProvider(db);
    this.writer = opts.writer;
    this.onError = opts.onError ?? ((e, batch) => console.error(`decision log: ${batch.length} decisions not written: ${(e as Error)?.message ?? e}`));
  }

  /** claims this instance's id slot and continues numbering above everything already stored */
  async init(): Promise<void> {
    const slot = await this.claimSlot();
    const last = await this.db.decision.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    this.ids = new DecisionIds(slot, Number(last?.seq ?? 0), this.now);
    // the slot stays this instance's while it runs, however long it makes no decision
    this.renew = setInterval(() => {
      this.db.decisionSlot.update({ where: { instance: this.instance }, data: { seenAt: new Date(this.now()) } }).catch((e: Error) => console.error(`decision log: slot not renewed: ${e.message}`));
    }, SLOT_RENEW_MS);
    this.renew.unref();
  }

  // The slot is kept under the instance's name: a restart reuses it. When all are taken, the slot
  // of an instance silent for a day is taken over (compare-and-delete on its seenAt). Two
  // instances claiming at once race on the unique slot; the loser looks again.
  private async claimSlot(): Promise<number> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const now = new Date(this.now());
      const mine = await this.db.decisionSlot.findUnique({ where: { instance: this.instance } });
      if (mine) {
        await this.db.decisionSlot.update({ where: { instance: this.instance }, data: { seenAt: now } });
        return mine.slot;
      }
      const holders = await this.db.decisionSlot.findMany({ select: { instance: true, slot: true, seenAt: true } });
      let slot = freeSlot(holders.map((r) => r.slot));
      if (slot === undefined) {
        const idle = reclaimableSlot(holders, now.getTime());
        if (!idle) throw new Error(`decision log: all ${SLOTS} instance slots are held by instances seen within a day (table DecisionSlot); delete the rows of retired instances`);
        const gone = await this.db.decisionSlot.deleteMany({ where: { instance: idle.instance, seenAt: idle.seenAt } });
        if (gone.count === 0) continue; // renewed or taken meanwhile
        slot = idle.slot;
      }
      try {
        await this.db.decisionSlot.create({ data: { instance: this.instance, slot, seenAt: now } });
        return slot;
      } catch {
        // taken meanwhile by another instance (slot or name): look again
      }
    }
    throw new Error(`decision log: could not claim an id slot for instance "${this.instance}"`);
  }

  /**
   * Numbers the decision and queues it for the database: `d` becomes the record (the caller hands
   * it over: one object per decision on the request path, D-282).
   */
  append(d: Omit<DecisionRecord, 'seq'>): DecisionRecord {
    if (!this.ids) throw new Error('decision log: init() first');
    const rec = d as DecisionRecord;
    rec.seq = this.ids.next();
    rec.instance = this.instance;
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
  // call and per row count); one parameterised multi-row INSERT costs a tenth of that
  // (decision-insert-sql.mjs, which writes the columns exactly as Prisma writes them).
  private async write(batch: DecisionRecord[]): Promise<void> {
    const rows = batch.map((d) => this.rowOf(d));
    // the inputs go to a writer as the object: cloning it costs the main thread less than serialising it
    if (this.writer) return this.writer.write(rows);
    const provider = await this.provider;
    let i = 0;
    for (const size of insertChunks(rows.length)) {
      const { text, values } = decisionInsert(rows.slice(i, i + size), provider);
      i += size;
      await this.db.$executeRawUnsafe(text, ...values);
    }
  }

  private rowOf(d: DecisionRecord): DecisionRowIn {
    return {
      id: decisionRowId(d.seq),
      seq: d.seq,
      instance: this.instance,
      at: d.at,
      userId: d.servedUser ? this.userIds(d.servedUser) ?? null : null,
      procedure: d.procedure,
      branch: d.branch,
      outcome: d.outcome,
      summary: d.summary,
      messageId: d.messageId,
      disposition: d.disposition,
      callId: d.callId,
      sessionId: d.sessionId ?? null,
      inputs: d.inputs,
    };
  }

  /**
   * The decisions after a console's position, oldest first. `after` holds, per instance, the last
   * id the console has: those instances resume exactly; instances it has not heard of resume
   * after `afterSeq` (ids follow the clock across instances). A page is, per instance, a prefix
   * of what follows, so paging with the updated cursor leaves no gap.
   */
  async since(afterSeq: number, limit: number, after: ResumeCursor = {}): Promise<DecisionRecord[]> {
    await this.flush();
    const known = Object.keys(after);
    const where =
      known.length === 0
        ? { seq: { gt: afterSeq } }
        : { OR: [...known.map((instance) => ({ instance, seq: { gt: after[instance] } })), { instance: { notIn: known }, seq: { gt: afterSeq } }] };
    const rows = await this.db.decision.findMany({
      where,
      orderBy: { seq: 'asc' },
      take: limit,
      include: { user: { select: { aor: true } } },
    });
    return rows.map(decisionRecordOf);
  }

  /** Writes what is pending. A writer thread it was given stays open: its owner closes it (D-325). */
  async close(): Promise<void> {
    clearInterval(this.renew);
    await this.flush();
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
    seq: Number(r.seq),
    instance: r.instance,
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
