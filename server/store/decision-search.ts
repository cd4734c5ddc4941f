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

/** a turn of the event loop: SIP work waiting meanwhile goes first (D-318, D-322) */
const turn = () => new Promise((r) => setImmediate(r));

/**
 * Rows per read of newestDecisions (D-318): the console's first load asks for up to 5,000, and
 * one read of them held the PF's event loop for 106–318 ms on two cores (about 1 s cold), past
 * the overload control's lag trigger. A page of 500 held it for 23–62 ms at most.
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
    if (below !== undefined) await turn();
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

/**
 * Served users by address substring, as their row ids, when there are few (D-321): the decisions
 * are then found through the (userId, at) index. A filter through the relation made SQLite read
 * every decision and join its user: 90–220 ms for 223,000 decisions, on the PF's event loop.
 */
const USER_IDS_MAX = 500;

async function userIdsMatching(db: Db, text: string): Promise<string[] | undefined> {
  const users = await db.user.findMany({ where: { aor: { contains: text } }, select: { id: true }, take: USER_IDS_MAX + 1 });
  return users.length > USER_IDS_MAX ? undefined : users.map((u) => u.id);
}

/**
 * Rows of the log per read of a search that no selective index serves (D-322): a search by
 * outcome, procedure, branch, disposition or user reads every decision for its count, and one
 * read of 200,000 held the PF's event loop 61–211 ms. Reads of this many rows, by the seq index,
 * with a turn of the event loop between them, hold it a few ms each.
 */
const SCAN_WINDOW = 10_000;

/**
 * Filters that an index of their own narrows: one read costs what the rows found cost. A search
 * by user is one of them once its users' ids are known (D-321): SQLite then reads the users' rows
 * through the (userId, at) index whatever seq window it is given, so windows would read them again
 * for each window (ten times slower on the bench store).
 */
function selective(f: DecisionFilter, userIds: string[] | undefined): boolean {
  return f.seq !== undefined || Boolean(f.messageId) || Boolean(f.callId) || Boolean(f.session) || userIds !== undefined;
}


/**
 * The log cut by seq into windows of `size` rows, newest first, as of `top` (the newest seq when
 * the search began, so that its count and its rows describe one moment): each window is where
 * clause on seq; the last has no lower bound.
 */
async function* seqWindows(db: Db, top: bigint, size: number): AsyncGenerator<{ gte?: bigint; lte?: bigint; lt?: bigint }> {
  let upper: { lte: bigint } | { lt: bigint } = { lte: top };
  for (;;) {
    const edge: { seq: bigint } | null = await db.decision.findFirst({ where: { seq: upper }, orderBy: { seq: 'desc' }, skip: size - 1, select: { seq: true } });
    if (!edge) {
      yield upper;
      return;
    }
    yield { ...upper, gte: edge.seq };
    upper = { lt: edge.seq };
    await turn();
  }
}

/** The newest `limit` decisions matching the filter, newest first, and how many match in all. */
export async function searchDecisions(db: Db, f: DecisionFilter, limit: number, window = SCAN_WINDOW): Promise<{ decisions: DecisionRecord[]; total: number }> {
  const ids = f.user ? await userIdsMatching(db, f.user) : undefined;
  const w = ids ? { ...where({ ...f, user: undefined }), userId: { in: ids } } : where(f);
  const include = { user: { select: { aor: true } } } as const;
  if (selective(f, ids)) {
    const [rows, total] = await Promise.all([db.decision.findMany({ where: w, orderBy: { seq: 'desc' }, take: limit, include }), db.decision.count({ where: w })]);
    return { decisions: rows.map(decisionRecordOf), total };
  }
  const top = await db.decision.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  if (!top) return { decisions: [], total: 0 };
  const decisions: DecisionRecord[] = [];
  let total = 0;
  for await (const seq of seqWindows(db, top.seq, window)) {
    const inWindow = { AND: [w, { seq }] };
    total += await db.decision.count({ where: inWindow });
    if (decisions.length < limit) {
      await turn();
      const rows = await db.decision.findMany({ where: inWindow, orderBy: { seq: 'desc' }, take: limit - decisions.length, include });
      for (const r of rows) decisions.push(decisionRecordOf(r));
    }
  }
  return { decisions, total };
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
