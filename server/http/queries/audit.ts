// The audit trail as the console shows it (entries are written by the store's repositories, in
// the transaction of each change).
import { listAudit } from '../../store/audit';
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

export async function auditFor(db: Db, where: { target?: string; actionPrefix?: string }, limit = 50): Promise<AuditView[]> {
  const rows = await listAudit(db, { ...where, limit });
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}
