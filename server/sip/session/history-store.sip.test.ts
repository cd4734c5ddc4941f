// The session side of the Message Store (SPEC §11.7, §11.8) on SQLite and PostgreSQL: what a
// session records (RECORD_OBJECT, STORE_GSO, RECORD_SESSION) goes through the store layer, and a
// session item stored twice is kept once (AMB-50, D-210).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { StoredObjectSpec } from '../../engine/effects';
import { listObjects } from '../../store/message-store';
import { databaseTargets } from '../../store/test-databases';
import { sessionFolder, storeObject } from './history-store';

/** An intercepted session item as BYE-4-R-ii records it (engine/bye/intercept.ts). */
const sessionItem = (kind: 'MESSAGE' | 'IMDN', messageId: string, body: string): StoredObjectSpec => ({
  kind,
  contentType: 'message/cpim',
  headers: { From: '<sip:bob@example.com>', 'Conversation-ID': 'conv', 'IMDN-Message-ID': messageId, 'Message-Direction': 'received' },
  body,
  imdnMessageId: messageId,
});

for (const target of databaseTargets()) {
  describe(`session history on ${target.provider}`, () => {
    test('BYE-4-R-ii, AMB-50: a session item stored twice (a resent SEND, a replayed step) is kept once', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const folderId = await sessionFolder(d.prisma, alice, 'conv-1/contrib-1');
      await storeObject(d.prisma, alice, folderId, sessionItem('MESSAGE', 'm1', 'hello'));
      await storeObject(d.prisma, alice, folderId, sessionItem('MESSAGE', 'm1', 'hello'));
      assert.equal((await listObjects(d.prisma, { userId: alice, folderId })).length, 1);
    });

    test('AMB-50 property: a folder holds one object per (kind, IMDN-Message-ID, body), whatever repeats', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      let run = 0;
      const item = fc.record({ kind: fc.constantFrom('MESSAGE' as const, 'IMDN' as const), id: fc.constantFrom('m1', 'm2'), body: fc.constantFrom('a', 'b') });
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
          const folderId = await sessionFolder(d.prisma, alice, `conv-${++run}/contrib`);
          for (const i of items) await storeObject(d.prisma, alice, folderId, sessionItem(i.kind, i.id, i.body));
          const stored = await listObjects(d.prisma, { userId: alice, folderId });
          const distinct = new Set(items.map((i) => `${i.kind}|${i.id}|${i.body}`));
          assert.deepEqual(new Set(stored.map((o) => `${o.kind}|${o.imdnMessageId}|${o.body}`)), distinct);
          assert.equal(stored.length, distinct.size);
        }),
        { numRuns: 15 },
      );
    });

    test('§11.8 folders: a session path names its session folder under the conversation folder, created once', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const a = await sessionFolder(d.prisma, alice, 'conv-1/contrib-1');
      assert.equal(await sessionFolder(d.prisma, alice, 'conv-1/contrib-1'), a);
      const conv = await sessionFolder(d.prisma, alice, 'conv-1');
      assert.notEqual(conv, a);
      assert.equal(await sessionFolder(d.prisma, alice, 'conv-1'), conv);
    });
  });
}
