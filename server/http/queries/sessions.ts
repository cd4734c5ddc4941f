// CPM sessions and their legs for the console, with Reason headers decoded and the participant
// roster taken from the engine's snapshot of the session.
import type { Db } from '../../store/database';
import type { LegView, SessionSummary } from '../../live/events';
import { decodeReason } from '../decode-reason';
import { notFound } from '../http-error';

export interface SessionFilter {
  user?: string;
  type?: string;
  state?: string;
  callId?: string;
}

export interface ParticipantView {
  entity: string;
  displayText: string | null;
  state: string;
  endpoints: Array<{ entity: string; status: string; disconnectionMethod: string | null }>;
}

export interface SessionDetail extends SessionSummary {
  legsList: LegView[];
  participants: ParticipantView[];
  rosterVersion: number | null;
  subject: string | null;
  interworked: boolean | null;
}

type LegRow = { id: string; sessionId: string; kind: string; device: string | null; callId: string; state: string; releaseReason: string | null; createdAt: Date; releasedAt: Date | null };
type SessionRow = {
  id: string; type: string; mode: string; conversationId: string; contributionId: string; groupSessionIdentity: string | null;
  createdAt: Date; updatedAt: Date; endedAt: Date | null; user: { aor: string }; legs: Array<{ state: string }>;
};

export function legView(l: LegRow): LegView {
  return {
    id: l.id,
    sessionId: l.sessionId,
    kind: l.kind,
    device: l.device,
    callId: l.callId,
    state: l.state,
    reason: decodeReason(l.releaseReason),
    createdAt: l.createdAt.toISOString(),
    releasedAt: l.releasedAt?.toISOString() ?? null,
  };
}

function summary(s: SessionRow): SessionSummary {
  return {
    id: s.id,
    servedUser: s.user.aor,
    type: s.type,
    mode: s.mode,
    conversationId: s.conversationId,
    contributionId: s.contributionId,
    groupSessionIdentity: s.groupSessionIdentity,
    legs: s.legs.length,
    connectedLegs: s.legs.filter((l) => l.state === 'CONNECTED').length,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
  };
}

const SUMMARY_INCLUDE = { user: { select: { aor: true } }, legs: { select: { state: true } } } as const;

export async function listSessions(db: Db, f: SessionFilter, take = 500): Promise<SessionSummary[]> {
  const rows = await db.cpmSession.findMany({
    where: {
      ...(f.user ? { user: { aor: { contains: f.user } } } : {}),
      ...(f.type ? { type: f.type } : {}),
      ...(f.state === 'LIVE' ? { mode: { not: 'RELEASED' } } : f.state ? { mode: f.state } : {}),
      ...(f.callId ? { legs: { some: { callId: f.callId } } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take,
    include: SUMMARY_INCLUDE,
  });
  return rows.map(summary);
}

export async function sessionSummary(db: Db, id: string): Promise<SessionSummary | null> {
  const row = await db.cpmSession.findUnique({ where: { id }, include: SUMMARY_INCLUDE });
  return row ? summary(row) : null;
}

export async function legById(db: Db, id: string): Promise<LegView | null> {
  const row = await db.leg.findUnique({ where: { id } });
  return row ? legView(row) : null;
}

function participantsOf(snapshot: Record<string, unknown>): { list: ParticipantView[]; version: number | null; subject: string | null } {
  const roster = snapshot.participants as { version?: number; subject?: string; users?: Record<string, { displayText?: string; state?: string; endpoints?: Record<string, { entity?: string; status?: string; disconnectionMethod?: string }> }> } | undefined;
  if (!roster || typeof roster !== 'object') return { list: [], version: null, subject: null };
  const users = roster.users && typeof roster.users === 'object' ? roster.users : {};
  const list = Object.entries(users).map(([entity, u]) => ({
    entity,
    displayText: u.displayText ?? null,
    state: u.state ?? 'full',
    endpoints: Object.entries(u.endpoints ?? {}).map(([e, ep]) => ({ entity: ep.entity ?? e, status: ep.status ?? 'unknown', disconnectionMethod: ep.disconnectionMethod ?? null })),
  }));
  return { list, version: typeof roster.version === 'number' ? roster.version : null, subject: roster.subject ?? null };
}

export async function sessionDetail(db: Db, id: string): Promise<SessionDetail> {
  const row = await db.cpmSession.findUnique({ where: { id }, include: { user: { select: { aor: true } }, legs: { orderBy: { createdAt: 'asc' } } } });
  if (!row) throw notFound(`no session ${id}`);
  let snapshot: Record<string, unknown> = {};
  try {
    snapshot = JSON.parse(row.snapshot) as Record<string, unknown>;
  } catch {
    snapshot = {};
  }
  const p = participantsOf(snapshot);
  return {
    ...summary(row),
    legsList: row.legs.map(legView),
    participants: p.list,
    rosterVersion: p.version,
    subject: p.subject,
    interworked: typeof snapshot.interworked === 'boolean' ? snapshot.interworked : null,
  };
}
