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
