// The Message Store side of session effects (SPEC §11.7, §11.8): the conversation / session
// history folders, Record CPM Session (idempotent, AMB-50) and Group State Objects.
import type { StoredObjectSpec } from '../../engine/effects';
import type { CpmSession } from '../../engine/model';
import { gsoParticipants } from '../../engine/participants/group-state-object';
import type { Db } from '../../store/database';

export const SESSION_INFO_TYPE = 'Application/X-CPM-Session';

/** Folder id of `conversationId/contributionId`, created (with its conversation parent) on first use. */
export async function sessionFolder(db: Db, userId: string, path: string): Promise<string> {
  const slash = path.indexOf('/');
  const conversationId = slash < 0 ? path : path.slice(0, slash);
  const contributionId = slash < 0 ? undefined : path.slice(slash + 1);
  let conv = await db.folder.findFirst({ where: { userId, conversationId, kind: 'CONVERSATION' }, select: { id: true } });
  conv ??= await db.folder.create({ data: { userId, kind: 'CONVERSATION', conversationId }, select: { id: true } });
  if (contributionId === undefined) return conv.id;
  const found = await db.folder.findFirst({ where: { userId, conversationId, contributionId, kind: 'SESSION_HISTORY' }, select: { id: true } });
  if (found) return found.id;
  const created = await db.folder.create({ data: { userId, kind: 'SESSION_HISTORY', conversationId, contributionId, parentId: conv.id }, select: { id: true } });
  return created.id;
}

export async function storeObject(db: Db, userId: string, folderId: string, o: StoredObjectSpec, participants?: unknown): Promise<string> {
  const row = await db.storedObject.create({
    data: {
      userId,
      folderId,
      kind: o.kind,
      imdnMessageId: o.imdnMessageId ?? null,
      contentType: o.contentType,
      headers: JSON.stringify(o.headers),
      body: o.body,
      participants: participants === undefined ? null : JSON.stringify(participants),
    },
    select: { id: true },
  });
  return row.id;
}

/** 8.5.2 Record CPM Session: the session info object, once per session folder. */
export async function recordSession(db: Db, userId: string, s: CpmSession, now: number): Promise<void> {
  const folderId = await sessionFolder(db, userId, `${s.conversationId}/${s.contributionId}`);
  const exists = await db.storedObject.findFirst({ where: { folderId, kind: 'SESSION_INFO' }, select: { id: true } });
  if (exists) return;
  const body = JSON.stringify({
    sessionType: s.type,
    groupSessionIdentity: s.groupSessionIdentity ?? null,
    legs: s.legs.map((l) => ({ kind: l.kind, device: l.device ?? null })),
    sdp: s.legs.find((l) => l.kind === 'CLIENT')?.localSdp ?? null,
    restartable: (s as { restartable?: boolean }).restartable ?? null,
  });
  await storeObject(db, userId, folderId, {
    kind: 'SESSION_INFO',
    contentType: SESSION_INFO_TYPE,
    headers: {
      From: `<${s.servedUser}>`,
      Date: new Date(now).toUTCString(),
      'Conversation-ID': s.conversationId,
      'Contribution-ID': s.contributionId,
      'Content-Type': SESSION_INFO_TYPE,
    },
    body,
  });
}

export function gsoParticipantsOf(s: CpmSession): unknown {
  return gsoParticipants(s.participants);
}
