// The decision log: every engine decision gets an event id, goes out live at once, and is written
// to the database in batches so that logging never caps SIP throughput.
import type { Db } from './database';
import type { DecisionRecord } from '../live/events';

export interface DecisionLogOptions {
  flushMs?: number;
  maxBatch?: number;
}

export class DecisionLog {
  private nextSeq = 1;
  private queue: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;

  constructor(private readonly db: Db, private readonly userIds: (aor: string) => string | undefined, opts: DecisionLogOptions = {}) {
    this.flushMs = opts.flushMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
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
      this.db.decision
        .createMany({
          data: batch.map((d) => ({
            seq: d.seq,
            at: new Date(d.at),
            userId: d.servedUser ? this.userIds(d.servedUser) ?? null : null,
            procedure: d.procedure,
            branch: d.branch,
            outcome: d.outcome,
            summary: d.summary,
            messageId: d.messageId,
            disposition: d.disposition,
            callId: d.callId,
            inputs: JSON.stringify(d.inputs),
          })),
        })
        .then(() => undefined),
    );
    return this.flushing;
  }

  async since(afterSeq: number, limit: number): Promise<DecisionRecord[]> {
    await this.flush();
    const rows = await this.db.decision.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: limit,
      include: { user: { select: { aor: true } } },
    });
    return rows.map((r) => ({
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
      inputs: JSON.parse(r.inputs) as Record<string, unknown>,
    }));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
