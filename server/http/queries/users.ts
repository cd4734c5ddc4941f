// Served users for the console: the list with live registration counts, and one user's detail.
import type { Db } from '../../store/database';
import type { Registrar } from '../../sip/registrar';

export interface UserListItem {
  aor: string;
  displayName: string | null;
  contacts: number;
  rules: number;
  activeSessions: number;
  deferred: number;
}

export async function listUsersView(db: Db, registrar: Registrar, q: string | undefined, now: number): Promise<UserListItem[]> {
  const users = await db.user.findMany({
    where: q ? { OR: [{ aor: { contains: q } }, { displayName: { contains: q } }] } : {},
    orderBy: { aor: 'asc' },
    take: 500,
    select: {
      aor: true,
      displayName: true,
      _count: { select: { policyRules: true, sessions: { where: { mode: { not: 'RELEASED' } } }, deferred: { where: { deliveredAt: null } } } },
    },
  });
  return users.map((u) => ({
    aor: u.aor,
    displayName: u.displayName,
    contacts: registrar.contacts(u.aor, now).length,
    rules: u._count.policyRules,
    activeSessions: u._count.sessions,
    deferred: u._count.deferred,
  }));
}

export interface ContactView {
  contact: string;
  userAgent: string | null;
  source: string;
  featureTags: string;
  expiresInSec: number;
}

export function contactsOf(registrar: Registrar, aor: string, now: number): ContactView[] {
  return registrar.contacts(aor, now).map((b) => ({
    contact: b.contact,
    userAgent: b.userAgent ?? null,
    source: b.source,
    featureTags: b.featureTags,
    expiresInSec: Math.max(0, Math.round((b.expiresAt - now) / 1000)),
  }));
}

export async function userIdOf(db: Db, aor: string): Promise<string | null> {
  const u = await db.user.findUnique({ where: { aor }, select: { id: true } });
  return u?.id ?? null;
}
