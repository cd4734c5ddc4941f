// The Message Store side of session effects (SPEC §11.7, §11.8): the conversation / session
// history folders, Record CPM Session (idempotent, AMB-50) and Group State Objects.
import type { StoredObjectSpec } from '../../engine/effects';
import type { CpmSession } from '../../engine/model';
import { gsoParticipants } from '../../engine/participants/group-state-object';
import type { Db } from '../../store/database';
import { folderByPath, storeObject as storeInFolder } from '../../store/message-store';

export const SESSION_INFO_TYPE = 'Application/X-CPM-Session';

/** Folder id of `conversationId/contributionId`, created (with its conversation parent) on first use. */
export async function sessionFolder(db: Db, userId: string, path: string): Promise<string> {
  return (await folderByPath(db, userId, path)).id;
}

/**
 * A session item (RECORD_OBJECT, STORE_GSO) in its folder, through the Message Store's one write
 * path: an item the folder already holds (same kind, IMDN-Message-ID and body: a resent SEND, a
 * replayed step) is kept once (AMB-50, D-210). Returns the stored object's id.
 */
export async function storeObject(db: Db, userId: string, folderId: string, o: StoredObjectSpec, participants?: unknown): Promise<string> {
  return (await storeInFolder(db, { userId, folderId, object: o, participants })).id;
}

/** 8.5.2 Record CPM Session: the session info object, once per session folder. */
export async function recordSession(db: Db, userId: string, s: CpmSession, now: number): Promise<void> {
  // the store keeps one SESSION_INFO per session folder: recording again changes nothing
  const folderId = await sessionFolder(db, userId, `${s.conversationId}/${s.contributionId}`);
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
