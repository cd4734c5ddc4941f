// Decision log reads the live stream does not cover: the newest page (first load of a long log)
// and filtered search over the whole history.
import type { Db } from '../../store/database';
import { decisionRecordOf } from '../../store/decision-log';
import type { DecisionRecord } from '../../live/events';

export interface DecisionFilter {
  /** one decision by its event id (a bookmarked link) */
  seq?: number;
  user?: string;
  messageId?: string;
  disposition?: string;
  outcome?: string;
  procedure?: string;
  branch?: string;
  callId?: string;
  /** decisions of a session: on any of these Call-IDs, or tagged with this session id */
  session?: { id: string; callIds: string[] };
}


/** the newest `limit` decisions, oldest first */
export async function decisionsTail(db: Db, limit: number): Promise<DecisionRecord[]> {
  const rows = await db.decision.findMany({ orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } });
  return rows.reverse().map(decisionRecordOf);
}

export async function searchDecisions(db: Db, f: DecisionFilter, limit: number): Promise<{ decisions: DecisionRecord[]; total: number }> {
  const where = {
    ...(f.seq !== undefined ? { seq: f.seq } : {}),
    ...(f.user ? { user: { aor: { contains: f.user } } } : {}),
    ...(f.messageId ? { messageId: f.messageId } : {}),
    ...(f.disposition ? { disposition: f.disposition } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.procedure ? { procedure: f.procedure } : {}),
    ...(f.branch ? { branch: { startsWith: f.branch } } : {}),
    ...(f.callId ? { callId: f.callId } : {}),
    ...(f.session ? { OR: [{ sessionId: f.session.id }, { callId: { in: f.session.callIds } }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.decision.findMany({ where, orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } }),
    db.decision.count({ where }),
  ]);
  return { decisions: rows.map(decisionRecordOf), total };
}
