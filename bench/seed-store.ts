// Seeds a throwaway SQLite database (migrated like the product's) with N decisions and N stored
// objects for ten served users, through the store's bulk loading (createMany).
import { bulkDecisions, bulkObjects, bulkUsers, type BulkDecision, type BulkObject } from '../server/store/bulk-load';
import { openDatabase } from '../server/store/database';
import { conversationFolder } from '../server/store/message-store';

export const STORE_USERS = Array.from({ length: 10 }, (_, i) => `u${i}`);
const aor = (u: string) => `sip:${u}@example.com`;
const BATCH = 2000;

export async function seedStore(databaseUrl: string, n: number): Promise<{ seedSeconds: number; users: Record<string, string> }> {
  const t = Date.now();
  const db = await openDatabase(databaseUrl);
  try {
    const p = db.store;
    const users = await bulkUsers(p, STORE_USERS.map((u) => ({ aor: aor(u), displayName: u })));
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    for (let from = 0; from < n; from += BATCH) {
      const data: BulkDecision[] = [];
      for (let i = from; i < Math.min(n, from + BATCH); i++) {
        const first = i % 2 === 0;
        const user = aor(STORE_USERS[(i >> 1) % STORE_USERS.length]);
        data.push({
          seq: i + 1,
          at: new Date(t0 + i * 10),
          userId: users[user],
          procedure: 'IMDN-RX',
          branch: first ? 'IMDN-RX-3' : 'IMDN-RX-2a-i',
          outcome: first ? 'FORWARD' : 'DROP',
          summary: first ? 'first notification for this message: forward to the served user' : 'duplicate delivery notification: suppress',
          messageId: `seed-${i >> 1}`,
          disposition: 'delivery',
          callId: `seed-call-${i}@127.0.0.1`,
          inputs: { servedUser: user, peer: 'sip:bob@example.com', messageId: `seed-${i >> 1}`, status: 'delivered', cached: !first },
        });
      }
      await bulkDecisions(p, data);
    }
    // stored objects: per user 20 conversation folders of n/200 objects each
    const perFolder = Math.max(1, Math.floor(n / (STORE_USERS.length * 20)));
    let made = 0;
    for (const u of STORE_USERS) {
      for (let f = 0; f < 20 && made < n; f++) {
        const folder = await conversationFolder(p, users[aor(u)], `conv-${u}-${f}`);
        for (let from = 0; from < perFolder && made < n; from += BATCH) {
          const data: BulkObject[] = [];
          for (let i = from; i < Math.min(perFolder, from + BATCH) && made < n; i++, made++) {
            const imdn = made % 2 === 1;
            data.push({
              userId: users[aor(u)],
              folderId: folder.id,
              kind: imdn ? 'IMDN' : 'MESSAGE',
              imdnMessageId: `obj-${made >> 1}`,
              contentType: imdn ? 'message/imdn+xml' : 'text/plain',
              headers: { From: '<sip:bob@example.com>', To: `<${aor(u)}>`, 'imdn.Message-ID': `obj-${made >> 1}` },
              body: imdn
                ? `<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>obj-${made >> 1}</message-id><delivery-notification><status><delivered/></status></delivery-notification></imdn>`
                : `hello ${made}, this is a stored chat message of about one line`,
              flags: imdn ? [] : ['\\Seen'],
              createdAt: new Date(t0 + made * 10),
            });
          }
          await bulkObjects(p, data);
        }
      }
    }
    return { seedSeconds: Math.round((Date.now() - t) / 1000), users };
  } finally {
    await db.close();
  }
}
