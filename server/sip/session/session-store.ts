// Sessions and legs in the database: the engine's CpmSession value as a JSON snapshot plus one
// row per leg, so the console can list them and a restart can see what was live.
import type { CpmSession } from '../../engine/model';
import type { Db } from '../../store/database';

export interface LegMeta {
  /** Reason header of the BYE that ended the leg, as received or sent */
  releaseReason?: string;
}

export async function saveSession(
  db: Db,
  userId: string,
  s: CpmSession,
  meta: Map<string, LegMeta>,
  now: number,
): Promise<void> {
  const at = new Date(now);
  const row = {
    type: s.type,
    conversationId: s.conversationId,
    contributionId: s.contributionId,
    groupSessionIdentity: s.groupSessionIdentity ?? null,
    mode: s.mode,
    snapshot: JSON.stringify(s),
    endedAt: s.mode === 'RELEASED' ? at : null,
  };
  await db.cpmSession.upsert({ where: { id: s.id }, create: { id: s.id, userId, ...row }, update: row });
  for (const l of s.legs) {
    const released = l.state === 'TERMINATED';
    const data = {
      kind: l.kind,
      device: l.device ?? null,
      callId: l.dialog.callId,
      state: l.state,
      releaseReason: meta.get(l.id)?.releaseReason ?? null,
    };
    const existing = await db.leg.findUnique({ where: { id: l.id }, select: { releasedAt: true } });
    if (!existing) await db.leg.create({ data: { id: l.id, sessionId: s.id, ...data, releasedAt: released ? at : null } });
    else await db.leg.update({ where: { id: l.id }, data: { ...data, releasedAt: existing.releasedAt ?? (released ? at : null) } });
  }
}
