// Console login sessions as stored: keyed by the SHA-256 of the cookie token (the caller hashes),
// so a leaked database hands out no live session.
import type { Db } from './database';
import type { OperatorRecord } from './operators';

export interface OperatorSessionRecord {
  id: string;
  operatorId: string;
  csrfToken: string;
  expiresAt: Date;
  address: string | null;
  operator: Pick<OperatorRecord, 'id' | 'username' | 'role' | 'disabledAt'>;
}

export async function insertOperatorSession(db: Db, s: { id: string; operatorId: string; csrfToken: string; expiresAt: Date; address?: string }): Promise<void> {
  await db.operatorSession.create({ data: { id: s.id, operatorId: s.operatorId, csrfToken: s.csrfToken, expiresAt: s.expiresAt, address: s.address } });
}

/** The session with its operator, or null. */
export async function findOperatorSession(db: Db, id: string): Promise<OperatorSessionRecord | null> {
  const r = await db.operatorSession.findUnique({ where: { id }, include: { operator: true } });
  if (!r) return null;
  return {
    id: r.id,
    operatorId: r.operatorId,
    csrfToken: r.csrfToken,
    expiresAt: r.expiresAt,
    address: r.address,
    operator: { id: r.operator.id, username: r.operator.username, role: r.operator.role, disabledAt: r.operator.disabledAt },
  };
}

export async function deleteOperatorSession(db: Db, id: string): Promise<void> {
  await db.operatorSession.deleteMany({ where: { id } });
}

/** Ends every session of an operator. */
export async function deleteOperatorSessions(db: Db, operatorId: string): Promise<void> {
  await db.operatorSession.deleteMany({ where: { operatorId } });
}

/** Removes sessions expired at `now`; returns how many. */
export async function deleteExpiredOperatorSessions(db: Db, now: Date): Promise<number> {
  return (await db.operatorSession.deleteMany({ where: { expiresAt: { lte: now } } })).count;
}
