// Writes a CPM session into the product's database through the store, as the SIP shell does once
// it has set one up, so the session pages can be tested before INVITE handling reaches them.
import type { CpmSession } from '../../../server/engine/model';
import { openDatabase } from '../../../server/store/database';
import { upsertSession } from '../../../server/store/sessions';
import { requireUserId } from '../../../server/store/users';

export interface SeededSession {
  id: string;
  clientLeg: { id: string; callId: string };
  cfLeg: { id: string; callId: string };
}

export async function seedGroupSession(databaseUrl: string, aor: string): Promise<SeededSession> {
  const tag = Math.random().toString(36).slice(2, 8);
  const id = `sess-${tag}`;
  const clientLeg = { id: `leg-client-${tag}`, callId: `call-client-${tag}` };
  const cfLeg = { id: `leg-cf-${tag}`, callId: `call-cf-${tag}` };
  const dialog = (callId: string) => ({ callId, localTag: 'pf', remoteTag: 'far' });
  const session = {
    id,
    servedUser: aor,
    type: 'GROUP',
    conversationId: `conv-${tag}`,
    contributionId: `contrib-${tag}`,
    groupSessionIdentity: 'sip:conf-1@cf.example.com',
    legs: [
      { id: clientLeg.id, kind: 'CLIENT', dialog: dialog(clientLeg.callId), mediaStreams: [], state: 'CONNECTED', suitable: true, device: 'sip:alice@127.0.0.1:5070' },
      { id: cfLeg.id, kind: 'CF', dialog: dialog(cfLeg.callId), mediaStreams: [], state: 'TERMINATED', suitable: false },
    ],
    interworked: false,
    usesSessionHistoryFolder: true,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: {
      version: 3,
      confActive: true,
      source: 'OWN_SUBSCRIPTION',
      users: {
        'sip:alice@example.com': { displayText: 'Alice', state: 'full', endpoints: { 'sip:alice@127.0.0.1:5070': { entity: 'sip:alice@127.0.0.1:5070', status: 'connected', leftWhileActive: false } } },
        'sip:dave@remote.example.net': { displayText: 'Dave', state: 'full', endpoints: { 'sip:dave@10.0.0.9': { entity: 'sip:dave@10.0.0.9', status: 'disconnected', disconnectionMethod: 'departed', leftWhileActive: true } } },
      },
    },
    isComposingFrom: [],
    isComposingSentByServedClients: false,
  } as unknown as CpmSession;
  // beside the running product, which may hold the write lock for a moment: wait for it
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 });
  try {
    await upsertSession(db.store, await requireUserId(db.store, aor), session, { releaseReasons: { [cfLeg.id]: 'SIP;cause=480;text="Temporarily Unavailable"' } });
  } finally {
    await db.close();
  }
  return { id, clientLeg, cfLeg };
}
