// CPM sessions and their legs for the console, with Reason headers decoded and the participant
// roster taken from the engine's snapshot of the session.
import type { Db } from '../../store/database';
import { getLeg, getSession, getSessionSummary, listSessions as listStoredSessions, type LegRecord, type SessionSummary as StoredSummary } from '../../store/sessions';
import type { SessionMode, SessionType } from '../../engine/model';
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

export function legView(l: LegRecord & { sessionId: string }): LegView {
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

function summary(s: Omit<StoredSummary, 'legCount' | 'connectedLegs'>, legs: number, connectedLegs: number): SessionSummary {
  return {
    id: s.id,
    servedUser: s.servedUser,
    type: s.type,
    mode: s.mode,
    conversationId: s.conversationId,
    contributionId: s.contributionId,
    groupSessionIdentity: s.groupSessionIdentity,
    legs,
    connectedLegs,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
  };
}

const summaryOf = (s: StoredSummary) => summary(s, s.legCount, s.connectedLegs);

export async function listSessions(db: Db, f: SessionFilter, take = 500): Promise<SessionSummary[]> {
  const rows = await listStoredSessions(db, {
    userAorContains: f.user,
    type: f.type as SessionType | undefined,
    ...(f.state === 'LIVE' ? { live: true } : f.state ? { mode: f.state as SessionMode } : {}),
    callId: f.callId,
    order: 'created',
    limit: take,
  });
  return rows.map(summaryOf);
}

export async function sessionSummary(db: Db, id: string): Promise<SessionSummary | null> {
  const row = await getSessionSummary(db, id);
  return row ? summaryOf(row) : null;
}

export async function legById(db: Db, id: string): Promise<LegView | null> {
  const row = await getLeg(db, id);
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
  const row = await getSession(db, id);
  if (!row) throw notFound(`no session ${id}`);
  const snapshot = (row.snapshot && typeof row.snapshot === 'object' ? row.snapshot : {}) as unknown as Record<string, unknown>;
  const p = participantsOf(snapshot);
  return {
    ...summary(row, row.legs.length, row.legs.filter((l) => l.state === 'CONNECTED').length),
    legsList: row.legs.map((l) => legView({ ...l, sessionId: row.id })),
    participants: p.list,
    rosterVersion: p.version,
    subject: p.subject,
    interworked: typeof snapshot.interworked === 'boolean' ? snapshot.interworked : null,
  };
}
