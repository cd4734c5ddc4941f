// CPM sessions and their legs: the engine's CpmSession value kept whole as a JSON snapshot (a
// restart or the console can rebuild it), plus one row per leg for listing and filtering.
import type { CpmSession, LegKind, LegState, SessionMode, SessionType } from '../engine/model';
import type { Db } from './database';

export interface LegRecord {
  id: string;
  kind: LegKind;
  device: string | null;
  callId: string;
  state: LegState;
  releaseReason: string | null;
  createdAt: Date;
  releasedAt: Date | null;
}

export interface SessionSummary {
  id: string;
  userId: string;
  servedUser: string;
  type: SessionType;
  conversationId: string;
  contributionId: string;
  groupSessionIdentity: string | null;
  mode: SessionMode;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
  /** the PF instance holding the session's dialogs */
  instance: string | null;
  legCount: number;
  connectedLegs: number;
}

export interface SessionDetail extends Omit<SessionSummary, 'legCount' | 'connectedLegs'> {
  legs: LegRecord[];
  snapshot: CpmSession;
}

export interface UpsertSessionOptions {
  now?: Date;
  /**
   * When what is written stands for several steps (D-306): when each thing first happened in them,
   * where it differs from `now` (the session or a leg first seen, RELEASED, a leg TERMINATED).
   */
  firstAt?: { session?: Date; released?: Date; leftReleased?: boolean; legSeen?: Map<string, Date>; legEnded?: Map<string, Date> };
  /** the PF process holding the session's dialogs (written when the session is created) */
  instance?: string;
  /** Reason header of the BYE that released a leg, by leg id (kept once set) */
  releaseReasons?: Record<string, string>;
}

/**
 * Writes the session and its legs in one transaction. A leg the value no longer holds is kept and
 * marked TERMINATED (the console shows what a session had); releasedAt is set once.
 */
export async function upsertSession(db: Db, userId: string, s: CpmSession, opts: UpsertSessionOptions = {}): Promise<void> {
  // BEGIN IMMEDIATE on SQLite (D-290): reading first cannot make the write fail beside the
  // decision log's writer thread (D-289)
  await db.$transaction((tx) => writeSession(tx as unknown as Db, userId, s, opts));
}

/** A leg's row as this process last wrote it. */
export type WrittenLeg = { kind: string; device: string | null; callId: string; state: string; releaseReason: string | null; releasedAt: Date | null };

/**
 * What this process last wrote of a session: with it, the next write needs no read (D-306). Only
 * the process holding a live session's dialogs writes it.
 */
export interface WrittenSession {
  endedAt: Date | null;
  legs: Map<string, WrittenLeg>;
}

/** A session this process created and has not written yet: it has no rows, and nothing need be read (D-308). */
export const NO_ROWS = 'absent';

/** The session row's columns a write sets (besides the times). */
export interface SessionRowData {
  type: string;
  conversationId: string;
  contributionId: string;
  groupSessionIdentity: string | null;
  mode: string;
  snapshot: string;
}

/**
 * The row writes that take a session's rows from `prior` to the value `s`: plain data, so that the
 * same plan runs through Prisma (applyPlan) or on the SQLite writer thread (D-310).
 */
export interface SessionWritePlan {
  id: string;
  session:
    | { op: 'create'; userId: string; instance: string; createdAt: Date; row: SessionRowData; endedAt: Date | null }
    | { op: 'update'; row: SessionRowData; endedAt: Date | null };
  legs: Array<{ op: 'create'; id: string; createdAt: Date; data: WrittenLeg } | { op: 'update'; id: string; data: WrittenLeg }>;
}

/** What is written of a session now, as writeSession needs it: NO_ROWS when it has no row. */
async function readWritten(tx: Db, id: string): Promise<WrittenSession | typeof NO_ROWS> {
  const old = await tx.cpmSession.findUnique({ where: { id }, select: { endedAt: true } });
  if (!old) return NO_ROWS;
  const legs = await tx.leg.findMany({ where: { sessionId: id } });
  return { endedAt: old.endedAt, legs: new Map(legs.map((l) => [l.id, { kind: l.kind, device: l.device, callId: l.callId, state: l.state, releaseReason: l.releaseReason, releasedAt: l.releasedAt }])) };
}

/**
 * The writes from `prior` (what is written, or NO_ROWS) to `s`, and what is written after them. A
 * leg the value no longer holds is kept and marked TERMINATED; a leg's releasedAt and first
 * Reason are set once; only legs that changed are written again.
 */
export function planSessionWrite(userId: string, s: CpmSession, opts: UpsertSessionOptions, prior: WrittenSession | typeof NO_ROWS): { plan: SessionWritePlan; written: WrittenSession } {
  const at = opts.now ?? new Date();
  const reasons = opts.releaseReasons ?? {};
  const row: SessionRowData = {
    type: s.type,
    conversationId: s.conversationId,
    contributionId: s.contributionId,
    groupSessionIdentity: s.groupSessionIdentity ?? null,
    mode: s.mode,
    snapshot: JSON.stringify(s),
  };
  const old = prior === NO_ROWS ? undefined : prior;
  const first = opts.firstAt;
  // a step between that left RELEASED would have cleared the row's endedAt
  const endedAt = s.mode === 'RELEASED' ? ((first?.leftReleased ? null : old?.endedAt) ?? first?.released ?? at) : null;
  const plan: SessionWritePlan = {
    id: s.id,
    session: old ? { op: 'update', row, endedAt } : { op: 'create', userId, instance: opts.instance ?? '', createdAt: first?.session ?? at, row, endedAt },
    legs: [],
  };
  const known = new Map(old?.legs);
  const written = new Map<string, WrittenLeg>();
  for (const l of s.legs) {
    const prev = known.get(l.id);
    const terminated = l.state === 'TERMINATED';
    const data: WrittenLeg = {
      kind: l.kind,
      device: l.device ?? null,
      callId: l.dialog.callId,
      state: l.state,
      releaseReason: prev?.releaseReason ?? reasons[l.id] ?? null,
      releasedAt: prev?.releasedAt ?? (terminated ? (first?.legEnded?.get(l.id) ?? at) : null),
    };
    // a session is written at every step: only legs that changed are written again
    if (!prev) plan.legs.push({ op: 'create', id: l.id, createdAt: first?.legSeen?.get(l.id) ?? at, data });
    else if (!sameLegRow(prev, data)) plan.legs.push({ op: 'update', id: l.id, data });
    written.set(l.id, data);
    known.delete(l.id);
  }
  for (const [id, gone] of known) {
    if (gone.state === 'TERMINATED') {
      written.set(id, gone);
      continue;
    }
    const data = { ...gone, state: 'TERMINATED', releasedAt: gone.releasedAt ?? first?.legEnded?.get(id) ?? at, releaseReason: gone.releaseReason ?? reasons[id] ?? null };
    plan.legs.push({ op: 'update', id, data });
    written.set(id, data);
  }
  return { plan, written: { endedAt, legs: written } };
}

/** Runs a plan through Prisma, inside the caller's transaction. */
export async function applyPlan(tx: Db, plan: SessionWritePlan): Promise<void> {
  const p = plan.session;
  if (p.op === 'update') await tx.cpmSession.update({ where: { id: plan.id }, data: { ...p.row, endedAt: p.endedAt } });
  else await tx.cpmSession.create({ data: { id: plan.id, userId: p.userId, ...p.row, instance: p.instance, createdAt: p.createdAt, endedAt: p.endedAt } });
  for (const l of plan.legs) {
    if (l.op === 'create') await tx.leg.create({ data: { id: l.id, sessionId: plan.id, createdAt: l.createdAt, ...l.data } });
    else await tx.leg.update({ where: { id: l.id }, data: l.data });
  }
}

/**
 * Writes the session and its legs inside the caller's transaction, and gives what is now written.
 * `last`: what this process wrote before, or NO_ROWS; without it, the rows are read first.
 */
export async function writeSession(tx: Db, userId: string, s: CpmSession, opts: UpsertSessionOptions = {}, last?: WrittenSession | typeof NO_ROWS): Promise<WrittenSession> {
  const { plan, written } = planSessionWrite(userId, s, opts, last ?? (await readWritten(tx, s.id)));
  await applyPlan(tx, plan);
  return written;
}

function sameLegRow(
  a: { kind: string; device: string | null; callId: string; state: string; releaseReason: string | null; releasedAt: Date | null },
  b: { kind: string; device: string | null; callId: string; state: string; releaseReason: string | null; releasedAt: Date | null },
): boolean {
  return a.kind === b.kind && a.device === b.device && a.callId === b.callId && a.state === b.state && a.releaseReason === b.releaseReason && a.releasedAt?.getTime() === b.releasedAt?.getTime();
}

/** Records the Reason of a leg's release when it arrives after the session was written. */
export async function setLegReleaseReason(db: Db, legId: string, reason: string): Promise<void> {
  await db.leg.updateMany({ where: { id: legId, releaseReason: null }, data: { releaseReason: reason } });
}

export interface SessionQuery {
  userId?: string;
  /** sessions of served users whose address contains this text */
  userAorContains?: string;
  type?: SessionType;
  mode?: SessionMode | SessionMode[];
  /** only sessions not RELEASED */
  live?: boolean;
  /** only sessions with at least one leg in this state */
  legState?: LegState;
  /** only sessions with a leg on this Call-ID */
  callId?: string;
  conversationId?: string;
  /** newest first by last change; page with `updatedBefore` = the last row's updatedAt */
  updatedBefore?: Date;
  /** newest first by last change (the default) or by creation */
  order?: 'updated' | 'created';
  limit?: number;
}

const SUMMARY_INCLUDE = { user: { select: { aor: true } }, legs: { select: { state: true } } } as const;

function summaryOf(r: SessionRowBase & { legs: Array<{ state: string }> }): SessionSummary {
  return {
    ...sessionFields(r),
    legCount: r.legs.length,
    connectedLegs: r.legs.filter((l) => l.state === 'CONNECTED').length,
  };
}

export async function listSessions(db: Db, q: SessionQuery = {}): Promise<SessionSummary[]> {
  const legs = [
    ...(q.legState ? [{ legs: { some: { state: q.legState } } }] : []),
    ...(q.callId ? [{ legs: { some: { callId: q.callId } } }] : []),
  ];
  const modes = [
    ...(q.mode ? [{ mode: Array.isArray(q.mode) ? { in: q.mode } : q.mode }] : []),
    ...(q.live ? [{ mode: { not: 'RELEASED' } }] : []),
  ];
  const rows = await db.cpmSession.findMany({
    where: {
      ...(q.userId ? { userId: q.userId } : {}),
      ...(q.userAorContains ? { user: { aor: { contains: q.userAorContains } } } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.conversationId ? { conversationId: q.conversationId } : {}),
      ...(q.updatedBefore ? { updatedAt: { lt: q.updatedBefore } } : {}),
      ...(legs.length + modes.length > 0 ? { AND: [...legs, ...modes] } : {}),
    },
    orderBy: q.order === 'created' ? [{ createdAt: 'desc' }, { id: 'desc' }] : [{ updatedAt: 'desc' }, { id: 'desc' }],
    take: q.limit ?? 100,
    include: SUMMARY_INCLUDE,
  });
  return rows.map(summaryOf);
}

export async function getSessionSummary(db: Db, id: string): Promise<SessionSummary | null> {
  const r = await db.cpmSession.findUnique({ where: { id }, include: SUMMARY_INCLUDE });
  return r ? summaryOf(r) : null;
}

export async function getLeg(db: Db, id: string): Promise<(LegRecord & { sessionId: string }) | null> {
  const l = await db.leg.findUnique({ where: { id } });
  return l ? { ...legRecord(l), sessionId: l.sessionId } : null;
}

/** Sessions not RELEASED. */
export async function countLiveSessions(db: Db): Promise<number> {
  return db.cpmSession.count({ where: { mode: { not: 'RELEASED' } } });
}

/** Legs CONNECTED, over all sessions. */
export async function countConnectedLegs(db: Db): Promise<number> {
  return db.leg.count({ where: { state: 'CONNECTED' } });
}

type LegRow = { id: string; kind: string; device: string | null; callId: string; state: string; releaseReason: string | null; createdAt: Date; releasedAt: Date | null };
const legRecord = (l: LegRow): LegRecord => ({
  id: l.id,
  kind: l.kind as LegKind,
  device: l.device,
  callId: l.callId,
  state: l.state as LegState,
  releaseReason: l.releaseReason,
  createdAt: l.createdAt,
  releasedAt: l.releasedAt,
});

/** How many sessions match the query (as listSessions, without its page limit). */
export async function countSessions(db: Db, q: Omit<SessionQuery, 'limit' | 'updatedBefore'> = {}): Promise<number> {
  return (await listSessions(db, { ...q, limit: 100_000 })).length;
}

/** How many legs the stored sessions have, in any state. */
export async function countLegs(db: Db): Promise<number> {
  return db.leg.count();
}

export async function getSession(db: Db, id: string): Promise<SessionDetail | null> {
  const r = await db.cpmSession.findUnique({
    where: { id },
    include: { user: { select: { aor: true } }, legs: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
  });
  if (!r) return null;
  return {
    ...sessionFields(r),
    snapshot: JSON.parse(r.snapshot) as CpmSession,
    legs: r.legs.map(legRecord),
  };
}

/**
 * The Reason a leg gets when the PF closes it at a restart. Its dialog state lived in the previous
 * process, so no BYE could be sent; the token "PF" says the PF, not a peer, ended it (RFC 3326
 * allows any token as the protocol).
 */
export const RESTART_REASON = 'PF;text="PF restarted: the dialog was lost, no BYE sent"';

/**
 * Closes the sessions a previous run of this PF instance left open: mode RELEASED, every leg not
 * yet TERMINATED terminated with RESTART_REASON. Other instances' sessions are not touched.
 * Returns how many sessions were closed.
 */
export async function closeLeftoverSessions(db: Db, instance: string, at: Date): Promise<number> {
  const open = await db.cpmSession.findMany({ where: { instance, mode: { not: 'RELEASED' } }, select: { id: true, snapshot: true } });
  for (const row of open) {
    const snapshot = JSON.parse(row.snapshot) as CpmSession;
    const closed: CpmSession = { ...snapshot, mode: 'RELEASED', legs: snapshot.legs.map((l) => ({ ...l, state: 'TERMINATED' })) };
    await db.$transaction(async (tx) => {
      await tx.cpmSession.update({ where: { id: row.id }, data: { mode: 'RELEASED', endedAt: at, snapshot: JSON.stringify(closed) } });
      await tx.leg.updateMany({ where: { sessionId: row.id, state: { not: 'TERMINATED' }, releaseReason: null }, data: { releaseReason: RESTART_REASON } });
      await tx.leg.updateMany({ where: { sessionId: row.id, state: { not: 'TERMINATED' } }, data: { state: 'TERMINATED', releasedAt: at } });
    });
  }
  return open.length;
}

/** Sessions a restart should bring back: everything not RELEASED. */
export async function liveSessionSnapshots(db: Db): Promise<CpmSession[]> {
  const rows = await db.cpmSession.findMany({ where: { mode: { not: 'RELEASED' } }, select: { snapshot: true } });
  return rows.map((r) => JSON.parse(r.snapshot) as CpmSession);
}

type SessionRowBase = Awaited<ReturnType<Db['cpmSession']['findMany']>>[number] & { user: { aor: string } };

/** The columns a session summary and a session detail share. */
function sessionFields(r: SessionRowBase) {
  return {
    id: r.id,
    userId: r.userId,
    servedUser: r.user.aor,
    type: r.type as SessionType,
    conversationId: r.conversationId,
    contributionId: r.contributionId,
    groupSessionIdentity: r.groupSessionIdentity,
    mode: r.mode as SessionMode,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    endedAt: r.endedAt,
    instance: r.instance,
  };
}
