// Message Store, deferred queue and retention, on SQLite and PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeferredItem, StoredObjectSpec } from '../engine/effects';
import { countPendingDeferred, enqueueDeferred, expireDeferred, markDeferredDelivered, pendingDeferred } from './deferred-queue';
import { conversationFolder, findByImdnMessageId, folderByPath, getObject, listFolders, listObjects, sessionFolder, setFlag, setFlagByImdnMessageId, storeObject } from './message-store';
import { runRetention, startRetention } from './retention';
import { databaseTargets } from './test-databases';

const msg = (id: string, body = `hello ${id}`): StoredObjectSpec => ({
  kind: 'MESSAGE',
  contentType: 'message/cpim',
  headers: { From: '<sip:bob@example.com>', 'IMDN-Message-ID': id, 'Message-Direction': 'received' },
  body,
  imdnMessageId: id,
});

const item = (over: Partial<DeferredItem> = {}): DeferredItem => ({
  kind: 'IMDN',
  servedUser: 'sip:alice@example.com',
  contentType: 'message/cpim',
  body: '<imdn/>',
  headers: { 'Call-ID': 'c1', Via: ['a', 'b'] },
  messageId: 'm1',
  ...over,
});

const DAY = 86_400_000;

for (const target of databaseTargets()) {
  describe(`message store and deferred queue on ${target.provider}`, () => {
    test('§11.7 folders: one conversation folder per Conversation-ID, session folders under it, per user', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bob = await d.user('sip:bob@example.com');
      const conv = await conversationFolder(d.prisma, alice, 'conv-1');
      assert.equal((await conversationFolder(d.prisma, alice, 'conv-1')).id, conv.id);
      const s1 = await sessionFolder(d.prisma, alice, 'conv-1', 'contrib-1');
      assert.equal(s1.parentId, conv.id);
      assert.equal(s1.kind, 'SESSION_HISTORY');
      assert.equal((await folderByPath(d.prisma, alice, 'conv-1/contrib-1')).id, s1.id);
      assert.equal((await folderByPath(d.prisma, alice, 'conv-1')).id, conv.id);
      const s2 = await sessionFolder(d.prisma, alice, 'conv-2', 'contrib-9');
      const bobs = await conversationFolder(d.prisma, bob, 'conv-1');
      assert.notEqual(bobs.id, conv.id);

      await storeObject(d.prisma, { userId: alice, folderId: s1.id, object: msg('m1') });
      const listing = await listFolders(d.prisma, alice);
      assert.deepEqual(listing.map((f) => [f.conversationId, f.contributionId, f.objectCount]), [
        ['conv-1', null, 0],
        ['conv-1', 'contrib-1', 1],
        ['conv-2', null, 0],
        ['conv-2', 'contrib-9', 0],
      ]);
      assert.equal(listing[3].id, s2.id);
    });

    test('AMB-50 objects are not duplicated; GSO keeps participants; flags are idempotent; lookups by message-id', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bob = await d.user('sip:bob@example.com');
      const f = await sessionFolder(d.prisma, alice, 'conv-1', 'contrib-1');
      const first = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: msg('m1') });
      const again = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: msg('m1') });
      assert.deepEqual(again, { id: first.id, created: false });
      // same message-id, another notification body: a different object
      const imdnDelivered = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: { ...msg('m1', '<delivered/>'), kind: 'IMDN' } });
      const imdnDisplayed = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: { ...msg('m1', '<displayed/>'), kind: 'IMDN' } });
      assert.ok(imdnDelivered.created && imdnDisplayed.created);
      const info: StoredObjectSpec = { kind: 'SESSION_INFO', contentType: 'Application/X-CPM-Session', headers: {}, body: '{"sessionType":"GROUP"}' };
      assert.equal((await storeObject(d.prisma, { userId: alice, folderId: f.id, object: info })).created, true);
      assert.equal((await storeObject(d.prisma, { userId: alice, folderId: f.id, object: { ...info, body: 'changed' } })).created, false, 'one session info per session folder');
      const participants = [{ name: 'Bob', commAddr: 'sip:bob@example.com' }];
      const gso = await storeObject(d.prisma, {
        userId: alice,
        folderId: f.id,
        object: { kind: 'GSO', contentType: 'Application/group-state-object+xml', headers: { Subject: 'team' }, body: '<groupstate/>', imdnMessageId: 'gso-1' },
        participants,
      });
      assert.deepEqual((await getObject(d.prisma, gso.id))?.participants, participants);
      await storeObject(d.prisma, { userId: bob, folderId: (await conversationFolder(d.prisma, bob, 'c')).id, object: msg('m1') });

      assert.equal(await setFlag(d.prisma, first.id, '\\Seen'), true);
      assert.equal(await setFlag(d.prisma, first.id, '\\Seen'), false);
      assert.equal(await setFlag(d.prisma, first.id, '\\Flagged'), true);
      assert.equal(await setFlag(d.prisma, 'missing', '\\Seen'), false);
      assert.deepEqual((await getObject(d.prisma, first.id))?.flags, ['\\Seen', '\\Flagged']);

      const hits = await findByImdnMessageId(d.prisma, alice, 'm1');
      assert.deepEqual(hits.map((h) => h.kind).sort(), ['IMDN', 'IMDN', 'MESSAGE']);
      assert.deepEqual((await findByImdnMessageId(d.prisma, alice, 'm1', ['MESSAGE']))[0].headers, msg('m1').headers);
      // IMDN-TX-3 \Seen on display: only the user's message, not the IMDN objects, not bob's copy
      assert.equal(await setFlagByImdnMessageId(d.prisma, bob, 'm1', '\\Seen'), 1);
      assert.equal(await setFlagByImdnMessageId(d.prisma, bob, 'm1', '\\Seen'), 0);
      assert.deepEqual((await findByImdnMessageId(d.prisma, alice, 'm1', ['IMDN'])).map((o) => o.flags), [[], []]);

      const objects = await listObjects(d.prisma, { userId: alice, folderId: f.id });
      assert.equal(objects.length, 5);
      assert.deepEqual((await listObjects(d.prisma, { userId: alice, kind: 'GSO' })).map((o) => o.id), [gso.id]);
      assert.equal((await listObjects(d.prisma, { userId: alice, limit: 2 })).length, 2);
    });

    test('D-112 binary bodies (every byte value, NUL included) are kept exactly in the deferred queue and the Message Store', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\u0100 é', 'utf8')]);
      const body = bytes.toString('latin1');
      await enqueueDeferred(d.prisma, alice, 'bin-1', item({ body, headers: { 'Content-Encoding': 'deflate' } }));
      const [queued] = await pendingDeferred(d.prisma, alice);
      assert.ok(Buffer.from(queued.item.body, 'latin1').equals(bytes), 'deferred body unchanged');
      const f = await conversationFolder(d.prisma, alice, 'conv-bin');
      const stored = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: { ...msg('b1', body), kind: 'IMDN' } });
      const again = await storeObject(d.prisma, { userId: alice, folderId: f.id, object: { ...msg('b1', body), kind: 'IMDN' } });
      assert.deepEqual(again, { id: stored.id, created: false }, 'the same binary object is found again (AMB-50)');
      const back = await getObject(d.prisma, stored.id);
      assert.ok(back && Buffer.from(back.body, 'latin1').equals(bytes), 'stored body unchanged');
    });

    test('§11.3 deferred queue: idempotent by source key, committed on resolve, oldest first, delivered once', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bob = await d.user('sip:bob@example.com');
      const t = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s));
      const a = await enqueueDeferred(d.prisma, alice, 'call-1/1 MESSAGE', item(), t(1));
      assert.equal(a.created, true);
      // a retransmission of the same request
      assert.deepEqual(await enqueueDeferred(d.prisma, alice, 'call-1/1 MESSAGE', item({ body: 'other' }), t(2)), { id: a.id, created: false });
      // concurrent enqueues of one request queue it once
      const racers = await Promise.all([1, 2, 3, 4].map(() => enqueueDeferred(d.prisma, alice, 'call-2/1 MESSAGE', item({ kind: 'MESSAGE', messageId: 'm2' }), t(3))));
      assert.equal(new Set(racers.map((r) => r.id)).size, 1);
      assert.equal(racers.filter((r) => r.created).length, 1);
      await enqueueDeferred(d.prisma, alice, 'call-0/1 MESSAGE', item({ messageId: 'm0', expiresAt: t(100).getTime() }), t(0));
      await enqueueDeferred(d.prisma, bob, 'call-1/1 MESSAGE', item({ servedUser: 'sip:bob@example.com' }), t(1));

      // what a restart would find: durable, oldest first, every field back
      const pending = await pendingDeferred(d.prisma, alice, t(10));
      assert.deepEqual(pending.map((p) => p.item.messageId), ['m0', 'm1', 'm2']);
      assert.deepEqual(pending[1].item, item());
      assert.equal(pending[0].item.expiresAt, t(100).getTime());

      assert.equal(await markDeferredDelivered(d.prisma, pending[1].id, t(11)), true);
      assert.equal(await markDeferredDelivered(d.prisma, pending[1].id, t(12)), false, 'delivered once');
      assert.deepEqual((await pendingDeferred(d.prisma, alice, t(13))).map((p) => p.item.messageId), ['m0', 'm2']);
      assert.equal(await countPendingDeferred(d.prisma, alice), 2);
      assert.equal(await countPendingDeferred(d.prisma), 3);
    });

    test('IMDN-GEN-3 expiry: returns each expired item once; expired items are neither pending nor deliverable', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const t = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s));
      const soon = await enqueueDeferred(d.prisma, alice, 'k-soon', item({ messageId: 'soon', expiresAt: t(5).getTime() }), t(0));
      await enqueueDeferred(d.prisma, alice, 'k-later', item({ messageId: 'later', expiresAt: t(50).getTime() }), t(0));
      await enqueueDeferred(d.prisma, alice, 'k-never', item({ messageId: 'never' }), t(0));
      const delivered = await enqueueDeferred(d.prisma, alice, 'k-done', item({ messageId: 'done', expiresAt: t(5).getTime() }), t(0));
      await markDeferredDelivered(d.prisma, delivered.id, t(1));

      assert.deepEqual(await expireDeferred(d.prisma, t(4)), []);
      assert.deepEqual((await pendingDeferred(d.prisma, alice, t(6))).map((p) => p.item.messageId), ['later', 'never'], 'past expiry is not pending even before expiry ran');
      const [a, b] = await Promise.all([expireDeferred(d.prisma, t(6)), expireDeferred(d.prisma, t(6))]);
      const expired = [...a, ...b];
      assert.deepEqual(expired.map((e) => [e.id, e.item.messageId, e.item.servedUser]), [[soon.id, 'soon', 'sip:alice@example.com']]);
      assert.deepEqual(await expireDeferred(d.prisma, t(7)), []);
      assert.equal(await markDeferredDelivered(d.prisma, soon.id, t(8)), false, 'an expired item is never delivered');
      assert.deepEqual((await expireDeferred(d.prisma, t(60))).map((e) => e.item.messageId), ['later']);
    });

    test('retention: old decisions and old finished deferred items go; pending and recent ones stay; the scheduler runs and stops', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const now = new Date('2026-11-20T00:00:00Z');
      const ago = (days: number) => new Date(now.getTime() - days * DAY);
      await d.prisma.decision.createMany({
        data: [40, 31, 29, 1].map((days, i) => ({ seq: i + 1, at: ago(days), procedure: 'IMDN-RX', branch: 'IMDN-RX-1', outcome: 'FORWARD', summary: `${days}d`, inputs: '{}' })),
      });
      const old = await enqueueDeferred(d.prisma, alice, 'old-delivered', item(), ago(60));
      await markDeferredDelivered(d.prisma, old.id, ago(20));
      const recent = await enqueueDeferred(d.prisma, alice, 'recent-delivered', item(), ago(60));
      await markDeferredDelivered(d.prisma, recent.id, ago(2));
      await enqueueDeferred(d.prisma, alice, 'old-expired', item({ expiresAt: ago(50).getTime() }), ago(60));
      await expireDeferred(d.prisma, ago(45));
      await enqueueDeferred(d.prisma, alice, 'old-pending', item(), ago(90));

      assert.deepEqual(await runRetention(d.prisma, { decisionDays: 30, deferredDays: 14 }, now), { decisions: 2, deferred: 2 });
      assert.deepEqual((await d.prisma.decision.findMany({ orderBy: { seq: 'asc' } })).map((x) => x.summary), ['29d', '1d']);
      assert.deepEqual((await d.prisma.deferredItem.findMany({ orderBy: { sourceKey: 'asc' } })).map((x) => x.sourceKey), ['old-pending', 'recent-delivered']);

      const runs: Array<{ decisions: number; deferred: number }> = [];
      const stop = startRetention({ db: d.prisma, decisionDays: 1, deferredDays: 1, intervalMs: 20, now: () => now, onRun: (r) => runs.push(r) });
      await new Promise((r) => setTimeout(r, 150));
      await stop();
      const after = runs.length;
      assert.ok(after >= 2, `expected repeated runs, got ${after}`);
      assert.deepEqual(runs[0], { decisions: 1, deferred: 1 });
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(runs.length, after, 'no run after stop()');
    });
  });
}
