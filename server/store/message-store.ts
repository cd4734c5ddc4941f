// The CPM Message Store (SPEC §11.7, §11.8): per user, one conversation-history folder per
// Conversation-ID and under it one session-history folder per Contribution-ID; objects with
// IMAP-like flags. Recording is idempotent (AMB-50): storing the same object twice keeps one.
import { bodyFromColumn, bodyToColumn } from './body-codec';
import type { Headers, StoredObjectSpec } from '../engine/effects';
import type { Db } from './database';

export type FolderKind = 'CONVERSATION' | 'SESSION_HISTORY';
export type ObjectKind = StoredObjectSpec['kind'];

export interface FolderRecord {
  id: string;
  userId: string;
  kind: FolderKind;
  conversationId: string;
  contributionId: string | null;
  parentId: string | null;
  createdAt: Date;
}

export interface FolderListing extends FolderRecord {
  objectCount: number;
}

export interface ObjectRecord {
  id: string;
  userId: string;
  folderId: string;
  kind: ObjectKind;
  imdnMessageId: string | null;
  contentType: string;
  headers: Headers;
  body: string;
  flags: string[];
  participants: unknown;
  createdAt: Date;
}

const folderRecord = (f: { id: string; userId: string; kind: string; conversationId: string; contributionId: string | null; parentId: string | null; createdAt: Date }): FolderRecord => ({
  id: f.id,
  userId: f.userId,
  kind: f.kind as FolderKind,
  conversationId: f.conversationId,
  contributionId: f.contributionId,
  parentId: f.parentId,
  createdAt: f.createdAt,
});

type ObjectRow = { id: string; userId: string; folderId: string; kind: string; imdnMessageId: string | null; contentType: string; headers: string; body: string; flags: string; participants: string | null; createdAt: Date };
const objectRecord = (o: ObjectRow): ObjectRecord => ({
  id: o.id,
  userId: o.userId,
  folderId: o.folderId,
  kind: o.kind as ObjectKind,
  imdnMessageId: o.imdnMessageId,
  contentType: o.contentType,
  headers: JSON.parse(o.headers) as Headers,
  body: bodyFromColumn(o.body),
  flags: splitFlags(o.flags),
  participants: o.participants === null ? null : JSON.parse(o.participants),
  createdAt: o.createdAt,
});

const splitFlags = (s: string) => s.split(' ').filter(Boolean);

/** The conversation-history folder of a Conversation-ID, created on first use. */
export async function conversationFolder(db: Db, userId: string, conversationId: string): Promise<FolderRecord> {
  const found = await db.folder.findFirst({ where: { userId, kind: 'CONVERSATION', conversationId }, orderBy: { createdAt: 'asc' } });
  return folderRecord(found ?? (await db.folder.create({ data: { userId, kind: 'CONVERSATION', conversationId } })));
}

/** The session-history folder of a session (Contribution-ID) under its conversation, both created on first use. */
export async function sessionFolder(db: Db, userId: string, conversationId: string, contributionId: string): Promise<FolderRecord> {
  const parent = await conversationFolder(db, userId, conversationId);
  const where = { userId_conversationId_contributionId: { userId, conversationId, contributionId } };
  // The unique key makes a concurrent create lose cleanly: upsert, then read.
  const f = await db.folder.upsert({ where, create: { userId, kind: 'SESSION_HISTORY', conversationId, contributionId, parentId: parent.id }, update: {} });
  return folderRecord(f);
}

/** A folder by the engine's path: "conversationId" or "conversationId/contributionId". */
export async function folderByPath(db: Db, userId: string, path: string): Promise<FolderRecord> {
  const slash = path.indexOf('/');
  return slash < 0 ? conversationFolder(db, userId, path) : sessionFolder(db, userId, path.slice(0, slash), path.slice(slash + 1));
}

export interface StoreObjectInput {
  userId: string;
  folderId: string;
  object: StoredObjectSpec;
  /** Group State Objects: the participant list snapshot */
  participants?: unknown;
  at?: Date;
}

/**
 * Stores an object unless the folder holds it already: the same kind, IMDN-Message-ID and body
 * (a resent message, a replayed effect), or for SESSION_INFO any session info (one per session).
 */
export async function storeObject(db: Db, input: StoreObjectInput): Promise<{ id: string; created: boolean }> {
  const o = input.object;
  return db.$transaction(async (tx) => {
    const dup =
      o.kind === 'SESSION_INFO'
        ? await tx.storedObject.findFirst({ where: { folderId: input.folderId, kind: 'SESSION_INFO' }, select: { id: true } })
        : o.imdnMessageId
          ? await tx.storedObject.findFirst({ where: { folderId: input.folderId, kind: o.kind, imdnMessageId: o.imdnMessageId, body: bodyToColumn(o.body) }, select: { id: true } })
          : null;
    if (dup) return { id: dup.id, created: false };
    const row = await tx.storedObject.create({
      data: {
        userId: input.userId,
        folderId: input.folderId,
        kind: o.kind,
        imdnMessageId: o.imdnMessageId ?? null,
        contentType: o.contentType,
        headers: JSON.stringify(o.headers),
        body: bodyToColumn(o.body),
        participants: input.participants === undefined ? null : JSON.stringify(input.participants),
        ...(input.at ? { createdAt: input.at } : {}),
      },
      select: { id: true },
    });
    return { id: row.id, created: true };
  });
}

/** IMAP STORE +FLAGS on one object. Returns true when the flag was added, false when already set or no such object. */
export async function setFlag(db: Db, objectId: string, flag: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const o = await tx.storedObject.findUnique({ where: { id: objectId }, select: { flags: true } });
    if (!o) return false;
    const flags = splitFlags(o.flags);
    if (flags.includes(flag)) return false;
    // Guarded by the value read: a concurrent writer makes this update match nothing, not lose a flag.
    const r = await tx.storedObject.updateMany({ where: { id: objectId, flags: o.flags }, data: { flags: [...flags, flag].join(' ') } });
    return r.count === 1;
  });
}

/** Sets a flag on the user's stored message(s) with this IMDN-Message-ID (SET_FLAG \Seen, IMDN-TX-3). Returns how many changed. */
export async function setFlagByImdnMessageId(db: Db, userId: string, imdnMessageId: string, flag: string, kinds: ObjectKind[] = ['MESSAGE', 'FT_HISTORY']): Promise<number> {
  const objs = await db.storedObject.findMany({ where: { userId, imdnMessageId, kind: { in: kinds } }, select: { id: true } });
  let n = 0;
  for (const o of objs) if (await setFlag(db, o.id, flag)) n++;
  return n;
}

export async function findByImdnMessageId(db: Db, userId: string, imdnMessageId: string, kinds?: ObjectKind[]): Promise<ObjectRecord[]> {
  const rows = await db.storedObject.findMany({
    where: { userId, imdnMessageId, ...(kinds ? { kind: { in: kinds } } : {}) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(objectRecord);
}

export async function getObject(db: Db, id: string): Promise<ObjectRecord | null> {
  const r = await db.storedObject.findUnique({ where: { id } });
  return r ? objectRecord(r) : null;
}

/** The user's folders, conversations before their session folders, oldest first, with object counts. */
export async function listFolders(db: Db, userId: string): Promise<FolderListing[]> {
  const rows = await db.folder.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { _count: { select: { objects: true } } },
  });
  const all = rows.map((r) => ({ ...folderRecord(r), objectCount: r._count.objects }));
  const children = new Map<string, FolderListing[]>();
  for (const f of all) if (f.parentId) children.set(f.parentId, [...(children.get(f.parentId) ?? []), f]);
  const known = new Set(all.map((f) => f.id));
  return all.filter((f) => !f.parentId || !known.has(f.parentId)).flatMap((f) => [f, ...(children.get(f.id) ?? [])]);
}

export interface ObjectQuery {
  userId: string;
  folderId?: string;
  kind?: ObjectKind;
  /** newest first; page with `before` = the last row's createdAt */
  before?: Date;
  limit?: number;
}

export async function listObjects(db: Db, q: ObjectQuery): Promise<ObjectRecord[]> {
  const rows = await db.storedObject.findMany({
    where: {
      userId: q.userId,
      ...(q.folderId ? { folderId: q.folderId } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.before ? { createdAt: { lt: q.before } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit ?? 100,
  });
  return rows.map(objectRecord);
}

export interface ObjectSearch {
  /** one user's objects; every user's when absent */
  userId?: string;
  kind?: ObjectKind;
  imdnMessageId?: string;
  limit?: number;
}

function searchWhere(q: ObjectSearch) {
  return { ...(q.userId ? { userId: q.userId } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.imdnMessageId ? { imdnMessageId: q.imdnMessageId } : {}) };
}

/** Objects matching the search, oldest first, each with the folder it is in. */
export async function findObjects(db: Db, q: ObjectSearch = {}): Promise<Array<ObjectRecord & { folder: FolderRecord }>> {
  const rows = await db.storedObject.findMany({ where: searchWhere(q), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: q.limit ?? 500, include: { folder: true } });
  return rows.map((r) => ({ ...objectRecord(r), folder: folderRecord(r.folder) }));
}

/**
 * A search over every user's objects, newest first, at most `limit` (50): by IMDN-Message-ID and
 * by text in the body (a plain substring; no full-text index).
 */
export async function searchObjects(db: Db, q: Omit<ObjectSearch, 'limit'> & { bodyContains?: string; limit?: number }): Promise<ObjectRecord[]> {
  const rows = await db.storedObject.findMany({
    where: { ...searchWhere(q), ...(q.bodyContains ? { body: { contains: bodyToColumn(q.bodyContains) } } : {}) },
    orderBy: { createdAt: 'desc' },
    take: q.limit ?? 50,
  });
  return rows.map(objectRecord);
}

/** How many objects match the search. */
export async function countObjects(db: Db, q: ObjectSearch = {}): Promise<number> {
  return db.storedObject.count({ where: searchWhere(q) });
}

/** The conversation-history folder of a Conversation-ID if it exists (nothing is created). */
export async function findConversationFolder(db: Db, userId: string, conversationId: string): Promise<FolderRecord | null> {
  const f = await db.folder.findFirst({ where: { userId, conversationId, kind: 'CONVERSATION' }, orderBy: { createdAt: 'asc' } });
  return f ? folderRecord(f) : null;
}

export interface FolderWithObjects extends FolderRecord {
  /** oldest first */
  objects: ObjectRecord[];
}

/** The user's folders, oldest first, each with its objects (bounded both ways, for display). */
export async function foldersWithObjects(db: Db, userId: string, limits = { folders: 200, objectsPerFolder: 500 }): Promise<FolderWithObjects[]> {
  const rows = await db.folder.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    include: { objects: { orderBy: { createdAt: 'asc' }, take: limits.objectsPerFolder } },
    take: limits.folders,
  });
  return rows.map((f) => ({ ...folderRecord(f), objects: f.objects.map(objectRecord) }));
}
