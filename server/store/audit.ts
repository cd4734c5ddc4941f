// The audit log: who changed which policy or topology value, when, from what to what. Writers
// call writeAudit inside the transaction of the change itself, so a change never lands without
// its entry (and an entry never lands for a change that rolled back).
import type { Prisma } from './generated/client';
import type { Db } from './database';

export type Tx = Prisma.TransactionClient;

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

/**
 * A second entry a change writes in its own transaction, on the same target by the same actor:
 * what the operator was shown when they chose it (a what-if diff, D-270), so the change never lands
 * without it.
 */
export interface AlsoAudit {
  action: string;
  after: unknown;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function writeAudit(tx: Tx | Db, e: AuditInput, at: Date = new Date()): Promise<void> {
  await tx.auditEntry.create({ data: { at, actor: e.actor, action: e.action, target: e.target, before: json(e.before), after: json(e.after) } });
}

export interface AuditQuery {
  target?: string;
  /** prefix of the action, e.g. "peer." */
  actionPrefix?: string;
  limit?: number;
}

/** Newest first. */
export async function listAudit(db: Db, q: AuditQuery = {}): Promise<AuditRecord[]> {
  const rows = await db.auditEntry.findMany({
    where: { ...(q.target ? { target: q.target } : {}), ...(q.actionPrefix ? { action: { startsWith: q.actionPrefix } } : {}) },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit ?? 100,
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  }));
}
