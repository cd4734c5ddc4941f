// Served users for the console: the list with live registration counts, and one user's detail.
import type { Db } from '../../store/database';
import type { Registrar } from '../../sip/registrar';
import { listUsersWithCounts } from '../../store/users';

export interface UserListItem {
  aor: string;
  displayName: string | null;
  contacts: number;
  rules: number;
  activeSessions: number;
  deferred: number;
}

export async function listUsersView(db: Db, registrar: Registrar, q: string | undefined, now: number): Promise<UserListItem[]> {
  const users = await listUsersWithCounts(db, q);
  return users.map((u) => ({
    aor: u.aor,
    displayName: u.displayName,
    contacts: registrar.contacts(u.aor, now).length,
    rules: u.rules,
    activeSessions: u.liveSessions,
    deferred: u.undeliveredDeferred,
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
