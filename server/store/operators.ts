// Console operator accounts (password hashes, roles, disabling). Passwords are hashed by the
// caller (server/security); every change is written to the audit log in its own transaction.
import { writeAudit } from './audit';
import type { Db } from './database';

export interface OperatorRecord {
  id: string;
  username: string;
  passwordHash: string;
  /** as stored; the caller checks it is a known role */
  role: string;
  createdAt: Date;
  disabledAt: Date | null;
}

const record = (r: OperatorRecord): OperatorRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.passwordHash,
  role: r.role,
  createdAt: r.createdAt,
  disabledAt: r.disabledAt,
});

export async function findOperator(db: Db, username: string): Promise<OperatorRecord | null> {
  const r = await db.operator.findUnique({ where: { username } });
  return r ? record(r) : null;
}

/** Every account, by username. */
export async function listOperatorRecords(db: Db): Promise<OperatorRecord[]> {
  return (await db.operator.findMany({ orderBy: { username: 'asc' } })).map(record);
}

/** Admin accounts not disabled. */
export async function countActiveAdmins(db: Db): Promise<number> {
  return db.operator.count({ where: { role: 'admin', disabledAt: null } });
}

/** Throws when the username is taken (a unique key). */
export async function insertOperator(db: Db, input: { username: string; passwordHash: string; role: string }, actor: string): Promise<OperatorRecord> {
  return db.$transaction(async (tx) => {
    const created = await tx.operator.create({ data: { username: input.username, passwordHash: input.passwordHash, role: input.role } });
    await writeAudit(tx, { actor, action: 'operator.create', target: `operator:${input.username}`, after: { role: input.role } });
    return record(created);
  });
}

/**
 * The recovery path for a lost admin password: a new hash, the admin role back, the account
 * enabled, and every session of the account ended, in one transaction with its audit entry.
 */
export async function resetAdminPassword(db: Db, operatorId: string, username: string, passwordHash: string, actor: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.operator.update({ where: { id: operatorId }, data: { passwordHash, role: 'admin', disabledAt: null } });
    await tx.operatorSession.deleteMany({ where: { operatorId } });
    await writeAudit(tx, { actor, action: 'operator.password-reset', target: `operator:${username}` });
  });
}
