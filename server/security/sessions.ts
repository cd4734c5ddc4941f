// Console sessions: a random 256-bit token in an HttpOnly cookie; the database keeps only its
// SHA-256, so a leaked database does not hand out live sessions. Lookups are cached in memory
// (the gate runs on every request, including polling) and fall back to the database, so sessions
// survive a restart.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/database';
import { deleteExpiredOperatorSessions, deleteOperatorSession, deleteOperatorSessions, findOperatorSession, insertOperatorSession } from '../store/operator-sessions';
import { isRole, type Role } from './roles';

export interface SessionInfo {
  id: string;
  operatorId: string;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: number;
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const CACHE_MAX = 10_000;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** What ended: one session (logout, expiry) or every session of an operator. */
export type SessionEnd = { sessionId: string } | { operatorId: string };

export class SessionStore {
  private readonly cache = new Map<string, SessionInfo>();
  private readonly endListeners: Array<(end: SessionEnd) => void> = [];

  constructor(private readonly db: Db, private readonly now: () => number = Date.now, readonly ttlMs = SESSION_TTL_MS) {}

  /** Called when sessions end here (logout, expiry seen, revocation), e.g. to close their sockets. */
  onEnd(listener: (end: SessionEnd) => void): void {
    this.endListeners.push(listener);
  }

  private ended(end: SessionEnd): void {
    for (const l of this.endListeners) l(end);
  }

  async create(operator: { id: string; username: string; role: Role }, address?: string): Promise<{ token: string; session: SessionInfo }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    const id = sha256(token);
    await insertOperatorSession(this.db, { id, operatorId: operator.id, csrfToken, expiresAt: new Date(expiresAt), address });
    const session = { id, operatorId: operator.id, username: operator.username, role: operator.role, csrfToken, expiresAt };
    this.remember(session);
    return { token, session };
  }

  /** The live session for a cookie token, or undefined (expired, revoked, disabled account). */
  async lookup(token: string | undefined): Promise<SessionInfo | undefined> {
    if (!token || token.length > 100) return undefined;
    const id = sha256(token);
    let s = this.cache.get(id);
    if (!s) {
      const row = await findOperatorSession(this.db, id);
      if (!row || row.operator.disabledAt || !isRole(row.operator.role)) return undefined;
      s = { id, operatorId: row.operatorId, username: row.operator.username, role: row.operator.role, csrfToken: row.csrfToken, expiresAt: row.expiresAt.getTime() };
      this.remember(s);
    }
    if (s.expiresAt <= this.now()) {
      await this.revoke(s.id);
      return undefined;
    }
    return s;
  }

  async revoke(id: string): Promise<void> {
    this.cache.delete(id);
    this.ended({ sessionId: id });
    await deleteOperatorSession(this.db, id);
  }

  /** Ends every session of an operator (role change, disabling, password change). */
  async revokeOperator(operatorId: string): Promise<void> {
    for (const [id, s] of this.cache) if (s.operatorId === operatorId) this.cache.delete(id);
    this.ended({ operatorId });
    await deleteOperatorSessions(this.db, operatorId);
  }

  async purgeExpired(): Promise<number> {
    const now = this.now();
    for (const [id, s] of this.cache) {
      if (s.expiresAt > now) continue;
      this.cache.delete(id);
      this.ended({ sessionId: id });
    }
    return deleteExpiredOperatorSessions(this.db, new Date(now));
  }

  private remember(s: SessionInfo): void {
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(s.id, s);
  }
}
