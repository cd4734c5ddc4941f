// Decision log reads the live stream does not cover: the newest page (first load of a long log)
// and filtered search over the whole history.
import type { Db } from '../../store/database';
import type { DecisionRecord } from '../../live/events';

export interface DecisionFilter {
  user?: string;
  messageId?: string;
  disposition?: string;
  outcome?: string;
  branch?: string;
  callId?: string;
  /** decisions of a session: on any of these Call-IDs, or tagged with this session id */
  session?: { id: string; callIds: string[] };
}

type Row = Awaited<ReturnType<Db['decision']['findMany']>>[number] & { user: { aor: string } | null };

function toRecord(r: Row): DecisionRecord {
  let inputs: Record<string, unknown> = {};
  try {
    inputs = JSON.parse(r.inputs) as Record<string, unknown>;
  } catch {
    inputs = { unreadable: r.inputs };
  }
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    servedUser: r.user?.aor ?? null,
    procedure: r.procedure,
    branch: r.branch,
    outcome: r.outcome,
    summary: r.summary,
    messageId: r.messageId,
    disposition: r.disposition,
    callId: r.callId,
    sessionId: r.sessionId ?? null,
    inputs,
  };
}

/** the newest `limit` decisions, oldest first */
export async function decisionsTail(db: Db, limit: number): Promise<DecisionRecord[]> {
  const rows = await db.decision.findMany({ orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } });
  return rows.reverse().map(toRecord);
}

export async function searchDecisions(db: Db, f: DecisionFilter, limit: number): Promise<{ decisions: DecisionRecord[]; total: number }> {
  const where = {
    ...(f.user ? { user: { aor: { contains: f.user } } } : {}),
    ...(f.messageId ? { messageId: f.messageId } : {}),
    ...(f.disposition ? { disposition: f.disposition } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.branch ? { branch: { startsWith: f.branch } } : {}),
    ...(f.callId ? { callId: f.callId } : {}),
    ...(f.session ? { OR: [{ sessionId: f.session.id }, { callId: { in: f.session.callIds } }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.decision.findMany({ where, orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } }),
    db.decision.count({ where }),
  ]);
  return { decisions: rows.map(toRecord), total };
}
