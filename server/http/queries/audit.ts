// The audit trail of console edits: who changed which policy or topology value, from what to what.
import type { Db } from '../../store/database';

export interface AuditView {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

type Tx = Pick<Db, 'auditEntry'>;

export async function writeAudit(db: Tx, e: { actor: string; action: string; target: string; before: unknown; after: unknown }): Promise<void> {
  await db.auditEntry.create({
    data: {
      actor: e.actor,
      action: e.action,
      target: e.target,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
    },
  });
}

function parse(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

export async function auditFor(db: Db, where: { target?: string; actionPrefix?: string }, take = 50): Promise<AuditView[]> {
  const rows = await db.auditEntry.findMany({
    where: {
      ...(where.target ? { target: where.target } : {}),
      ...(where.actionPrefix ? { action: { startsWith: where.actionPrefix } } : {}),
    },
    orderBy: { at: 'desc' },
    take,
  });
  return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, before: parse(r.before), after: parse(r.after) }));
}
