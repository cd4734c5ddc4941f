// The deferred delivery queue (8.3.1.6, SPEC §11.3). The shell answers 202 only once enqueue has
// resolved, and Prisma resolves a write after its commit: an accepted item is durable.
// Every state change is guarded by the state it leaves (not delivered, not expired), so two PF
// instances on one PostgreSQL never both deliver or both expire an item.
import { bodyFromColumn, bodyToColumn } from './body-codec';
import type { DeferredItem, Headers } from '../engine/effects';
import type { Db } from './database';

export interface QueuedItem {
  id: string;
  userId: string;
  sourceKey: string;
  item: DeferredItem;
  createdAt: Date;
}

type Row = {
  id: string;
  userId: string;
  kind: string;
  contentType: string;
  headers: string;
  body: string;
  messageId: string | null;
  sessionId: string | null;
  sourceKey: string;
  createdAt: Date;
  expiresAt: Date | null;
  user: { aor: string };
};

const queued = (r: Row): QueuedItem => ({
  id: r.id,
  userId: r.userId,
  sourceKey: r.sourceKey,
  createdAt: r.createdAt,
  item: {
    kind: r.kind as DeferredItem['kind'],
    servedUser: r.user.aor,
    contentType: r.contentType,
    headers: JSON.parse(r.headers) as Headers,
    body: bodyFromColumn(r.body),
    ...(r.messageId !== null ? { messageId: r.messageId } : {}),
    ...(r.sessionId !== null ? { sessionId: r.sessionId } : {}),
    ...(r.expiresAt !== null ? { expiresAt: r.expiresAt.getTime() } : {}),
  },
});

const withUser = { user: { select: { aor: true } } } as const;

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string })?.code === 'P2002';
}

/**
 * Queues an item for a user. Idempotent by (userId, sourceKey), the Call-ID and CSeq of the
 * request that produced it: a retransmission returns the item queued first (created false).
 */
/**
 * The user's queue already holds its quota of pending items (D-134). Not a storage failure: the
 * store answered, and the sender is told so (480), not asked to retry against a broken store.
 */
export class DeferredQueueFull extends Error {
  readonly storageHealthy = true;
  constructor(readonly userId: string, readonly limit: number) {
    super(`the deferred queue of user ${userId} holds its ${limit} items`);
    this.name = 'DeferredQueueFull';
  }
}

export async function enqueueDeferred(db: Db, userId: string, sourceKey: string, item: DeferredItem, at: Date = new Date(), maxPending?: number): Promise<{ id: string; created: boolean }> {
  const existing = await db.deferredItem.findUnique({ where: { userId_sourceKey: { userId, sourceKey } }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  // a retransmission of an item queued before the quota filled is still answered as queued (above)
  if (maxPending !== undefined && (await countPendingDeferred(db, userId)) >= maxPending) throw new DeferredQueueFull(userId, maxPending);
  try {
    const r = await db.deferredItem.create({
      data: {
        userId,
        sourceKey,
        kind: item.kind,
        contentType: item.contentType,
        headers: JSON.stringify(item.headers),
        body: bodyToColumn(item.body),
        messageId: item.messageId ?? null,
        sessionId: item.sessionId ?? null,
        createdAt: at,
        expiresAt: item.expiresAt === undefined ? null : new Date(item.expiresAt),
      },
      select: { id: true },
    });
    return { id: r.id, created: true };
  } catch (e) {
    // A concurrent enqueue of the same request won the race: same answer as a retransmission.
    if (!isUniqueViolation(e)) throw e;
    const r = await db.deferredItem.findUniqueOrThrow({ where: { userId_sourceKey: { userId, sourceKey } }, select: { id: true } });
    return { id: r.id, created: false };
  }
}

/** Items still to deliver to the user (not delivered, not expired at `now`), oldest first. */
export async function pendingDeferred(db: Db, userId: string, now: Date = new Date(), limit = 500): Promise<QueuedItem[]> {
  const rows = await db.deferredItem.findMany({
    where: { userId, deliveredAt: null, expiredAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit,
    include: withUser,
  });
  return rows.map(queued);
}

/** Returns false when the item was delivered or expired already (or does not exist). */
export async function markDeferredDelivered(db: Db, id: string, at: Date = new Date()): Promise<boolean> {
  const r = await db.deferredItem.updateMany({ where: { id, deliveredAt: null, expiredAt: null }, data: { deliveredAt: at } });
  return r.count === 1;
}

/**
 * Marks every undelivered item whose expiry has passed as expired and returns those this call
 * expired, oldest first, for the shell to run IMDN-GEN-3 on (an item is returned once, ever).
 */
export async function expireDeferred(db: Db, now: Date = new Date(), limit = 500): Promise<QueuedItem[]> {
  const due = await db.deferredItem.findMany({
    where: { deliveredAt: null, expiredAt: null, expiresAt: { lte: now } },
    orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }],
    take: limit,
    include: withUser,
  });
  const expired: QueuedItem[] = [];
  for (const r of due) {
    const u = await db.deferredItem.updateMany({ where: { id: r.id, deliveredAt: null, expiredAt: null }, data: { expiredAt: now } });
    if (u.count === 1) expired.push(queued(r));
  }
  return expired;
}

export async function countPendingDeferred(db: Db, userId?: string): Promise<number> {
  return db.deferredItem.count({ where: { ...(userId ? { userId } : {}), deliveredAt: null, expiredAt: null } });
}

export type DeferredState = 'PENDING' | 'UNDELIVERED' | 'DELIVERED' | 'EXPIRED';

export interface DeferredQuery {
  userId?: string;
  kind?: DeferredItem['kind'];
  /** PENDING: neither delivered nor expired; UNDELIVERED: not delivered, expired ones included */
  state?: DeferredState;
}

function deferredWhere(q: DeferredQuery) {
  const state =
    q.state === 'PENDING' ? { deliveredAt: null, expiredAt: null }
    : q.state === 'UNDELIVERED' ? { deliveredAt: null }
    : q.state === 'DELIVERED' ? { deliveredAt: { not: null } }
    : q.state === 'EXPIRED' ? { expiredAt: { not: null } }
    : {};
  return { ...(q.userId ? { userId: q.userId } : {}), ...(q.kind ? { kind: q.kind } : {}), ...state };
}

/** How many queued items match (every user's when no user is given). */
export async function countDeferred(db: Db, q: DeferredQuery = {}): Promise<number> {
  return db.deferredItem.count({ where: deferredWhere(q) });
}

/** Items not delivered yet, expired ones included (what the console counts as deferred). */
export async function countUndeliveredDeferred(db: Db): Promise<number> {
  return db.deferredItem.count({ where: { deliveredAt: null } });
}

export interface DeferredRecord {
  id: string;
  userId: string;
  /** what the item was queued under: the request or session item it came from (D-261) */
  sourceKey: string;
  kind: DeferredItem['kind'];
  contentType: string;
  messageId: string | null;
  sessionId: string | null;
  body: string;
  createdAt: Date;
  expiresAt: Date | null;
  deliveredAt: Date | null;
  expiredAt: Date | null;
}

/** The queue in every state (pending, delivered, expired), oldest first; a user's, or every user's. */
export async function listDeferred(db: Db, userId: string | undefined, limit = 500, q: Omit<DeferredQuery, 'userId'> = {}): Promise<DeferredRecord[]> {
  const rows = await db.deferredItem.findMany({ where: deferredWhere({ ...q, userId }), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit });
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    sourceKey: r.sourceKey,
    kind: r.kind as DeferredItem['kind'],
    contentType: r.contentType,
    messageId: r.messageId,
    sessionId: r.sessionId,
    body: bodyFromColumn(r.body),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    deliveredAt: r.deliveredAt,
    expiredAt: r.expiredAt,
  }));
}

/**
 * BYE-4-R-iii-2: the items a session held for its user went to the returning client; they are
 * delivered. Returns how many were marked.
 */
export async function markSessionDeferredDelivered(db: Db, sessionId: string, at: Date = new Date()): Promise<number> {
  return (await db.deferredItem.updateMany({ where: { sessionId, deliveredAt: null }, data: { deliveredAt: at } })).count;
}
