// Served users: who the PF serves, by address of record.
import type { Db } from './database';

export interface UserRow {
  id: string;
  aor: string;
  displayName: string | null;
}

export async function ensureUsers(db: Db, aors: Array<{ aor: string; displayName?: string }>): Promise<void> {
  for (const u of aors) {
    await db.user.upsert({
      where: { aor: u.aor },
      create: { aor: u.aor, displayName: u.displayName ?? null },
      update: {},
    });
  }
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.user.findMany({ orderBy: { aor: 'asc' }, select: { id: true, aor: true, displayName: true } });
}

export async function findUserByAor(db: Db, aor: string): Promise<UserRow | null> {
  return db.user.findUnique({ where: { aor }, select: { id: true, aor: true, displayName: true } });
}

/** The id of a served user, or null when the address is not served. */
export async function userIdOf(db: Db, aor: string): Promise<string | null> {
  const u = await db.user.findUnique({ where: { aor }, select: { id: true } });
  return u?.id ?? null;
}

/** The id of a served user that must exist (a seeded or provisioned one); throws otherwise. */
export async function requireUserId(db: Db, aor: string): Promise<string> {
  const id = await userIdOf(db, aor);
  if (id === null) throw new Error(`${aor} is not a served user`);
  return id;
}

export interface UserRecord extends UserRow {
  createdAt: Date;
}

export async function getUser(db: Db, id: string): Promise<UserRecord | null> {
  return db.user.findUnique({ where: { id }, select: { id: true, aor: true, displayName: true, createdAt: true } });
}

export async function countUsers(db: Db): Promise<number> {
  return db.user.count();
}

export interface UserWithCounts {
  aor: string;
  displayName: string | null;
  /** policy rules */
  rules: number;
  /** sessions not RELEASED */
  liveSessions: number;
  /** deferred items not delivered (expired ones included) */
  undeliveredDeferred: number;
}

/** Served users by address, those whose address or display name contains `q` when given. */
export async function listUsersWithCounts(db: Db, q: string | undefined, limit = 500): Promise<UserWithCounts[]> {
  const users = await db.user.findMany({
    where: q ? { OR: [{ aor: { contains: q } }, { displayName: { contains: q } }] } : {},
    orderBy: { aor: 'asc' },
    take: limit,
    select: {
      aor: true,
      displayName: true,
      _count: { select: { policyRules: true, sessions: { where: { mode: { not: 'RELEASED' } } }, deferred: { where: { deliveredAt: null } } } },
    },
  });
  return users.map((u) => ({ aor: u.aor, displayName: u.displayName, rules: u._count.policyRules, liveSessions: u._count.sessions, undeliveredDeferred: u._count.deferred }));
}
