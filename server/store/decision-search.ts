// Reads of the decision log beside its live stream: the newest page (first load of a long log),
// filtered search over the whole history, and the last sequence number. Writing stays with
// DecisionLog (decision-log.ts), which batches.
import type { DecisionRecord } from '../live/events';
import type { Db } from './database';
import { decisionRecordOf } from './decision-log';

export interface DecisionFilter {
  /** one decision by its event id (a bookmarked link) */
  seq?: number;
  /** served users whose address contains this text */
  user?: string;
  messageId?: string;
  disposition?: string;
  outcome?: string;
  procedure?: string;
  /** branches starting with this text ("IMDN-TX" matches IMDN-TX-2 and IMDN-TX-2x) */
  branch?: string;
  /** exactly one of these branches */
  branches?: string[];
  callId?: string;
  /** decisions of a session: on any of these Call-IDs, or tagged with this session id */
  session?: { id: string; callIds: string[] };
}

function where(f: DecisionFilter) {
  return {
    ...(f.seq !== undefined ? { seq: f.seq } : {}),
    ...(f.user ? { user: { aor: { contains: f.user } } } : {}),
    ...(f.messageId ? { messageId: f.messageId } : {}),
    ...(f.disposition ? { disposition: f.disposition } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.procedure ? { procedure: f.procedure } : {}),
    ...(f.branch || f.branches ? { branch: { ...(f.branch ? { startsWith: f.branch } : {}), ...(f.branches ? { in: f.branches } : {}) } } : {}),
    ...(f.callId ? { callId: f.callId } : {}),
    ...(f.session ? { OR: [{ sessionId: f.session.id }, { callId: { in: f.session.callIds } }] } : {}),
  };
}

/**
 * Rows per read of newestDecisions (D-318): the console's first load asks for up to 5,000, and
 * one read of them held the PF's event loop for 150–600 ms on two cores, past the overload
 * control's lag trigger. A page of 500 holds it for about 15 ms.
 */
const NEWEST_PAGE = 500;

/**
 * The newest `limit` decisions, oldest first: read newest first in pages of `page`, with a turn
 * of the event loop between pages so that SIP work is not held up by a console's read. Paging
 * below the first page's last id gives exactly what one read at the first page's time would.
 */
export async function newestDecisions(db: Db, limit: number, page = NEWEST_PAGE): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = [];
  let below: bigint | undefined;
  while (out.length < limit) {
    if (below !== undefined) await new Promise((r) => setImmediate(r));
    const take = Math.min(page, limit - out.length);
    const rows = await db.decision.findMany({
      ...(below !== undefined ? { where: { seq: { lt: below } } } : {}),
      orderBy: { seq: 'desc' },
      take,
      include: { user: { select: { aor: true } } },
    });
    for (const r of rows) out.push(decisionRecordOf(r));
    if (rows.length < take) break;
    below = rows[rows.length - 1].seq;
  }
  return out.reverse();
}

/** The newest `limit` decisions matching the filter, newest first, and how many match in all. */
export async function searchDecisions(db: Db, f: DecisionFilter, limit: number): Promise<{ decisions: DecisionRecord[]; total: number }> {
  const w = where(f);
  const [rows, total] = await Promise.all([
    db.decision.findMany({ where: w, orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } }),
    db.decision.count({ where: w }),
  ]);
  return { decisions: rows.map(decisionRecordOf), total };
}

/** The decisions matching the filter in the order they were made (oldest first), at most `limit`. */
export async function decisionsInOrder(db: Db, f: DecisionFilter = {}, limit = 10_000): Promise<DecisionRecord[]> {
  const rows = await db.decision.findMany({ where: where(f), orderBy: { seq: 'asc' }, take: limit, include: { user: { select: { aor: true } } } });
  return rows.map(decisionRecordOf);
}

/** How many decisions match the filter. */
export async function countDecisions(db: Db, f: DecisionFilter = {}): Promise<number> {
  return db.decision.count({ where: where(f) });
}

/** The sequence number of the newest decision, null when the log is empty. */
export async function lastDecisionSeq(db: Db): Promise<number | null> {
  const last = await db.decision.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  return last ? Number(last.seq) : null;
}
