// Writes Message Store objects through the store, as the shell's RECORD_OBJECT / STORE_GSO /
// SET_FLAG effects do: a stored message flagged \Seen and a Group State Object with its roster.
import { openDatabase } from '../../../server/store/database';
import { conversationFolder, sessionFolder, setFlag, storeObject } from '../../../server/store/message-store';
import { requireUserId } from '../../../server/store/users';

export async function seedStore(databaseUrl: string, aor: string, messageId: string): Promise<void> {
  // beside the running product, which may hold the write lock for a moment: wait for it
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 });
  try {
    const userId = await requireUserId(db.store, aor);
    const conv = await conversationFolder(db.store, userId, 'conv-store-1');
    const msg = await storeObject(db.store, {
      userId,
      folderId: conv.id,
      object: { kind: 'MESSAGE', contentType: 'message/cpim', imdnMessageId: messageId, headers: { From: '<sip:bob@example.com>', To: `<${aor}>`, 'Message-Direction': 'received' }, body: 'hello from bob' },
    });
    await setFlag(db.store, msg.id, '\\Seen');
    const sess = await sessionFolder(db.store, userId, 'conv-store-1', 'contrib-store-1');
    await storeObject(db.store, {
      userId,
      folderId: sess.id,
      object: { kind: 'GSO', contentType: 'application/vnd.oma.cpm-groupstate+xml', headers: { Subject: 'Team' }, body: '<groupstate/>' },
      participants: [
        { entity: 'sip:carol@example.com', displayText: 'Carol', status: 'connected' },
        { entity: 'sip:dave@remote.example.net', displayText: 'Dave', status: 'disconnected' },
      ],
    });
  } finally {
    await db.close();
  }
}
