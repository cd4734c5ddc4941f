// The repositories the console API, the security layer and the SIP shell read and write through
// (issue 14: one store layer), on SQLite and PostgreSQL: users, sessions and legs, the decision
// log's reads, the deferred queue and the Message Store as the console lists them, topology peers,
// operator accounts and their login sessions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecisionRecord } from '../live/events';
import type { CpmSession, Leg } from '../engine/model';
import { decisionRecordOf, DecisionLog } from './decision-log';
import { lastDecisionSeq, newestDecisions, searchDecisions } from './decision-search';
import { countUndeliveredDeferred, enqueueDeferred, expireDeferred, listDeferred, markSessionDeferredDelivered } from './deferred-queue';
import { findConversationFolder, foldersWithObjects, sessionFolder, setFlag, storeObject } from './message-store';
import { deleteExpiredOperatorSessions, deleteOperatorSession, deleteOperatorSessions, findOperatorSession, insertOperatorSession } from './operator-sessions';
import { countActiveAdmins, findOperator, insertOperator, listOperatorRecords, resetAdminPassword } from './operators';
import { listPeersOldestFirst, upsertTopologyPeers } from './peers';
import { listAudit } from './audit';
import { bulkDecisions, bulkObjects, bulkUsers } from './bulk-load';
import { countDecisions, decisionsInOrder } from './decision-search';
import { countDeferred } from './deferred-queue';
import { conversationFolder, countObjects, findObjects, getObject, searchObjects } from './message-store';
import { countLegs, countSessions, getSession } from './sessions';
import { requireUserId } from './users';
import { countConnectedLegs, countLiveSessions, getLeg, getSessionSummary, listSessions, upsertSession } from './sessions';
import { databaseTargets } from './test-databases';
import { upsertPolicyRule } from './user-prefs';
import { countUsers, getUser, listUsersWithCounts, userIdOf } from './users';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';

function leg(id: string, kind: Leg['kind'], state: Leg['state'] = 'CONNECTED'): Leg {
  return { id, kind, dialog: { callId: `call-${id}`, localTag: 'l', remoteTag: 'r' }, mediaStreams: [], state, suitable: true };
}

function session(id: string, servedUser: string, over: Partial<CpmSession> = {}): CpmSession {
  return {
    id,
    servedUser,
    type: 'GROUP',
    conversationId: `conv-${id}`,
    contributionId: `contrib-${id}`,
    legs: [leg(`${id}-c1`, 'CLIENT'), leg(`${id}-cf`, 'CF')],
    interworked: false,
    usesSessionHistoryFolder: true,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: { version: 1, confActive: true, users: {}, source: 'OWN_SUBSCRIPTION' },
    isComposingFrom: [],
    ...over,
  } as CpmSession;
}

/** How many turns the event loop made while `work` ran (a read that holds the loop lets none through). */
async function loopTurnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let working = true;
  const spin = () => {
    if (!working) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  try {
    await work();
  } finally {
    working = false;
  }
  return turns;
}

function decision(i: number, servedUser: string | null, over: Partial<DecisionRecord> = {}): Omit<DecisionRecord, 'seq'> {
  return {
    at: new Date(Date.UTC(2026, 10, 1) + i).toISOString(),
    servedUser,
    procedure: i % 2 ? 'IMDN-TX' : 'IMDN-RX',
    branch: i % 2 ? 'IMDN-TX-2' : 'IMDN-RX-1',
    outcome: i % 2 ? 'FORWARD' : 'DROP',
    summary: 'a decision',
    messageId: `m-${i}`,
    disposition: 'delivered',
    callId: `call-${i}`,
    sessionId: null,
    inputs: { i },
    ...over,
  };
}

for (const target of databaseTargets()) {
  describe(`repositories on ${target.provider}`, () => {
    test('issue 14 test reads: decisions by exact branches in order, the queue by state and kind, objects with their folders, session and leg counts, bulk loading', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      assert.equal(await requireUserId(d.store, ALICE), alice);
      await assert.rejects(requireUserId(d.store, 'sip:nobody@example.com'), /not a served user/);

      const log = new DecisionLog(d.store, (aor) => (aor === ALICE ? alice : undefined));
      await log.init();
      for (let i = 0; i < 6; i++) log.append(decision(i, ALICE, { branch: ['IMDN-TX-2', 'IMDN-TX-2x', 'IMDN-RX-1'][i % 3] }));
      await log.close();
      assert.deepEqual((await decisionsInOrder(d.store, { branches: ['IMDN-TX-2'] })).map((r) => r.messageId), ['m-0', 'm-3'], 'exact, not a prefix');
      assert.deepEqual((await decisionsInOrder(d.store, { branch: 'IMDN-TX' })).map((r) => r.messageId), ['m-0', 'm-1', 'm-3', 'm-4']);
      assert.equal(await countDecisions(d.store, { branches: ['IMDN-TX-2x', 'IMDN-RX-1'] }), 4);
      assert.equal((await decisionsInOrder(d.store))[0].servedUser, ALICE);

      const item = (messageId: string, kind: 'IMDN' | 'CHAT_MESSAGE', expiresAt?: number) => ({ kind, servedUser: ALICE, contentType: 'message/cpim', headers: {}, body: 'b', messageId, ...(expiresAt ? { expiresAt } : {}) });
      const t0 = new Date('2026-11-01T10:00:00Z');
      await enqueueDeferred(d.store, alice, 'k1', item('m1', 'IMDN'), t0);
      await enqueueDeferred(d.store, alice, 'k2', item('m2', 'CHAT_MESSAGE', t0.getTime() + 10), t0);
      await expireDeferred(d.store, new Date(t0.getTime() + 60_000));
      assert.deepEqual([await countDeferred(d.store), await countDeferred(d.store, { state: 'PENDING' }), await countDeferred(d.store, { state: 'EXPIRED' }), await countDeferred(d.store, { kind: 'CHAT_MESSAGE', userId: alice })], [2, 1, 1, 1]);
      assert.deepEqual((await listDeferred(d.store, undefined, 500, { state: 'UNDELIVERED' })).map((r) => [r.sourceKey, r.userId]), [['k1', alice], ['k2', alice]]);

      const folder = await conversationFolder(d.store, alice, 'conv-x');
      const obj = await storeObject(d.store, { userId: alice, folderId: folder.id, object: { kind: 'MESSAGE', contentType: 'text/plain', headers: {}, body: 'hello there', imdnMessageId: 'o1' } });
      await setFlag(d.store, obj.id, '\\Seen');
      const found = await findObjects(d.store, { imdnMessageId: 'o1' });
      assert.deepEqual(found.map((o) => [o.folder.conversationId, o.flags]), [['conv-x', ['\\Seen']]]);
      assert.deepEqual((await getObject(d.store, obj.id))?.flags, ['\\Seen']);
      assert.equal(await countObjects(d.store, { kind: 'MESSAGE', userId: alice }), 1);
      assert.equal(await countObjects(d.store, { kind: 'IMDN' }), 0);
      assert.deepEqual((await searchObjects(d.store, { bodyContains: 'there' })).map((o) => o.id), [obj.id]);

      await upsertSession(d.store, alice, session('s1', ALICE), { instance: 'pf-a' });
      await upsertSession(d.store, alice, session('s2', ALICE, { mode: 'RELEASED' }));
      assert.deepEqual([await countSessions(d.store), await countSessions(d.store, { mode: 'ACTIVE' }), await countLegs(d.store)], [2, 1, 4]);
      assert.equal((await getSession(d.store, 's1'))?.instance, 'pf-a');

      const users = await bulkUsers(d.store, [{ aor: 'sip:u0@example.com' }]);
      await bulkDecisions(d.store, [{ seq: 1, at: t0, userId: users['sip:u0@example.com'], procedure: 'IMDN-RX', branch: 'IMDN-RX-3', outcome: 'FORWARD', summary: 's', inputs: { a: 1 } }]);
      const f2 = await conversationFolder(d.store, users['sip:u0@example.com'], 'conv-bulk');
      await bulkObjects(d.store, [{ userId: users['sip:u0@example.com'], folderId: f2.id, kind: 'MESSAGE', contentType: 'text/plain', headers: { A: 'b' }, body: 'bulk', flags: ['\\Seen'], createdAt: t0 }]);
      assert.deepEqual((await decisionsInOrder(d.store, { branches: ['IMDN-RX-3'] })).map((r) => [r.servedUser, r.inputs]), [['sip:u0@example.com', { a: 1 }]]);
      assert.deepEqual((await findObjects(d.store, { userId: users['sip:u0@example.com'] })).map((o) => [o.body, o.flags, o.headers]), [['bulk', ['\\Seen'], { A: 'b' }]]);
    });

    test('users: id by address, one user, counts of rules, live sessions and undelivered items', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      await d.user(BOB);
      assert.equal(await userIdOf(d.store, ALICE), alice);
      assert.equal(await userIdOf(d.store, 'sip:nobody@example.com'), null);
      assert.equal((await getUser(d.store, alice))?.aor, ALICE);
      assert.equal(await getUser(d.store, 'no-such-id'), null);
      assert.equal(await countUsers(d.store), 2);
      await upsertPolicyRule(d.store, alice, { ruleId: 'r1', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
      await upsertSession(d.store, alice, session('a1', ALICE));
      await upsertSession(d.store, alice, session('a2', ALICE, { mode: 'RELEASED' }));
      await enqueueDeferred(d.store, alice, 'k1', { kind: 'IMDN', servedUser: ALICE, contentType: 'message/cpim', headers: {}, body: 'x' });
      const all = await listUsersWithCounts(d.store, undefined);
      assert.deepEqual(all.map((u) => [u.aor, u.rules, u.liveSessions, u.undeliveredDeferred]), [[ALICE, 1, 1, 1], [BOB, 0, 0, 0]]);
      assert.deepEqual((await listUsersWithCounts(d.store, 'bob')).map((u) => u.aor), [BOB]);
    });

    test('sessions: the console search (user text, Call-ID, live, newest created first), one summary, one leg, counts', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      const bob = await d.user(BOB);
      await upsertSession(d.store, alice, session('a1', ALICE), { now: new Date('2026-11-01T10:00:00Z') });
      await upsertSession(d.store, bob, session('b1', BOB, { mode: 'RELEASED', legs: [leg('b1-c1', 'CLIENT', 'TERMINATED')] }), { now: new Date('2026-11-01T11:00:00Z') });
      await upsertSession(d.store, alice, session('a2', ALICE, { type: 'ONE_TO_ONE' }), { now: new Date('2026-11-01T12:00:00Z') });
      await upsertSession(d.store, alice, session('a1', ALICE), { now: new Date('2026-11-01T13:00:00Z') });
      const ids = async (q: Parameters<typeof listSessions>[1]) => (await listSessions(d.store, { order: 'created', ...q })).map((s) => s.id);
      assert.deepEqual(await ids({}), ['a2', 'b1', 'a1']);
      assert.deepEqual(await ids({ userAorContains: 'alice' }), ['a2', 'a1']);
      assert.deepEqual(await ids({ live: true }), ['a2', 'a1']);
      assert.deepEqual(await ids({ callId: 'call-b1-c1' }), ['b1']);
      assert.deepEqual(await ids({ callId: 'call-b1-c1', live: true }), []);
      assert.deepEqual(await ids({ callId: 'call-a1-cf', live: true }), ['a1']);
      assert.deepEqual(await ids({ mode: 'RELEASED', callId: 'call-b1-c1' }), ['b1']);
      const s = await getSessionSummary(d.store, 'a1');
      assert.deepEqual([s?.servedUser, s?.legCount, s?.connectedLegs, s?.mode], [ALICE, 2, 2, 'ACTIVE']);
      assert.equal(await getSessionSummary(d.store, 'nope'), null);
      const l = await getLeg(d.store, 'b1-c1');
      assert.deepEqual([l?.sessionId, l?.kind, l?.state, l?.callId], ['b1', 'CLIENT', 'TERMINATED', 'call-b1-c1']);
      assert.equal(await getLeg(d.store, 'nope'), null);
      assert.equal(await countLiveSessions(d.store), 2);
      assert.equal(await countConnectedLegs(d.store), 4);
    });

    test('decisions: newest page oldest first, search by filter with a total, the last sequence number', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      assert.equal(await lastDecisionSeq(d.store), null);
      const log = new DecisionLog(d.store, (aor) => (aor === ALICE ? alice : undefined));
      await log.init();
      for (let i = 0; i < 10; i++) log.append(decision(i, i < 4 ? ALICE : null, i === 9 ? { sessionId: 's-9' } : {}));
      await log.close();
      const tail = await newestDecisions(d.store, 3);
      assert.deepEqual(tail.map((r) => r.messageId), ['m-7', 'm-8', 'm-9']);
      const last = await lastDecisionSeq(d.store);
      assert.equal(last, tail[2].seq);
      const tx = await searchDecisions(d.store, { procedure: 'IMDN-TX' }, 2);
      assert.equal(tx.total, 5);
      assert.deepEqual(tx.decisions.map((r) => r.messageId), ['m-9', 'm-7']);
      assert.equal((await searchDecisions(d.store, { user: 'alice', branch: 'IMDN-RX' }, 10)).total, 2);
      const ofSession = await searchDecisions(d.store, { session: { id: 's-9', callIds: ['call-0'] } }, 10);
      assert.deepEqual(ofSession.decisions.map((r) => r.messageId), ['m-9', 'm-0']);
      assert.equal((await searchDecisions(d.store, { seq: last! }, 10)).decisions[0].messageId, 'm-9');
    });

    // The console's first load asks for up to 5,000 decisions. Read at once, they blocked the PF's
    // event loop for 150–600 ms on a 2-core machine (Prisma maps every row on the main thread), over
    // the overload control's 300 ms lag trigger: SIP requests arriving meanwhile got 503 (D-318).
    test('D-318 the newest page read in pages is what one read gives, and other work runs between its pages', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      const log = new DecisionLog(d.store, (aor) => (aor === ALICE ? alice : undefined));
      await log.init();
      for (let i = 0; i < 23; i++) log.append(decision(i, i % 3 ? ALICE : null, i % 5 ? {} : { sessionId: `s-${i}` }));
      await log.close();
      const whole = async (limit: number) => (await d.store.decision.findMany({ orderBy: { seq: 'desc' }, take: limit, include: { user: { select: { aor: true } } } })).reverse().map(decisionRecordOf);
      for (const limit of [1, 4, 5, 12, 23, 40]) assert.deepEqual(await newestDecisions(d.store, limit, 4), await whole(limit), `limit ${limit}`);
      // turns of the event loop while 23 decisions are read in pages of 4: one at least between pages
      const turns = await loopTurnsDuring(() => newestDecisions(d.store, 23, 4));
      assert.ok(turns >= 5, `the event loop turned ${turns} times during a read of 6 pages`);
    });

    test('D-321 a search by user finds what a scan of every decision finds, whether few users match, none, or every one', async () => {
      const d = await target.fresh();
      const users = ['sip:alice@example.com', 'sip:alicia@example.com', 'sip:bob@example.com', 'tel:+15550001'];
      const ids = new Map<string, string>();
      for (const u of users) ids.set(u, await d.user(u));
      const log = new DecisionLog(d.store, (aor) => ids.get(aor));
      await log.init();
      for (let i = 0; i < 40; i++) log.append(decision(i, i % 5 === 4 ? null : users[i % 5], {}));
      await log.close();
      const all = await d.store.decision.findMany({ orderBy: { seq: 'desc' }, include: { user: { select: { aor: true } } } });
      for (const text of ['alic', 'alice', 'example.com', '+1555', 'nobody', 'sip:']) {
        const want = all.filter((r) => r.user?.aor.toLowerCase().includes(text.toLowerCase())).map(decisionRecordOf);
        const got = await searchDecisions(d.store, { user: text }, 1000);
        assert.deepEqual(got.decisions, want, text);
        assert.equal(got.total, want.length, text);
        const narrowed = await searchDecisions(d.store, { user: text, procedure: 'IMDN-TX' }, 3);
        assert.deepEqual(narrowed.decisions, want.filter((r) => r.procedure === 'IMDN-TX').slice(0, 3), `${text}, IMDN-TX`);
      }
    });

    // A search no index narrows (outcome, procedure, branch, disposition, or none) once read the
    // whole log in one statement on the PF's event loop: 61–211 ms for 200,000 decisions (D-322).
    test('D-322 a search no index narrows reads the log in windows: it finds and counts what one read finds, and other work runs between windows', async () => {
      const d = await target.fresh();
      const users = ['sip:alice@example.com', 'sip:bob@example.com'];
      const ids = new Map<string, string>();
      for (const u of users) ids.set(u, await d.user(u));
      const log = new DecisionLog(d.store, (aor) => ids.get(aor));
      await log.init();
      const kinds = [
        { procedure: 'IMDN-RX', branch: 'IMDN-RX-2a-i', outcome: 'DROP', disposition: 'delivery' },
        { procedure: 'IMDN-RX', branch: 'IMDN-RX-3', outcome: 'FORWARD', disposition: 'delivery' },
        { procedure: 'IMDN-TX', branch: 'IMDN-TX-2', outcome: 'FORWARD', disposition: 'display' },
        { procedure: 'DSP', branch: 'DSP-1a', outcome: 'DISPATCH', disposition: null },
      ];
      for (let i = 0; i < 29; i++) log.append(decision(i, i % 3 === 2 ? null : users[i % 2], kinds[(i * 7) % 4]));
      await log.close();
      const all = (await d.store.decision.findMany({ orderBy: { seq: 'desc' }, include: { user: { select: { aor: true } } } })).map(decisionRecordOf);
      const filters: Array<Partial<Record<'outcome' | 'procedure' | 'branch' | 'disposition', string>>> = [{}, { outcome: 'FORWARD' }, { procedure: 'IMDN-RX' }, { branch: 'IMDN-RX' }, { branch: 'IMDN-RX-3' }, { disposition: 'display' }, { outcome: 'NONE' }, { procedure: 'IMDN-RX', outcome: 'DROP' }];
      const matches = (f: (typeof filters)[number], r: DecisionRecord) =>
        (!f.outcome || r.outcome === f.outcome) && (!f.procedure || r.procedure === f.procedure) && (!f.branch || r.branch.startsWith(f.branch)) && (!f.disposition || r.disposition === f.disposition);
      for (const f of filters) {
        const want = all.filter((r) => matches(f, r));
        for (const window of [1, 4, 7, 1000]) {
          for (const limit of [1, 3, 5, 29, 40]) {
            const got = await searchDecisions(d.store, f, limit, window);
            assert.deepEqual(got.decisions, want.slice(0, limit), `${JSON.stringify(f)} limit ${limit} window ${window}`);
            assert.equal(got.total, want.length, `${JSON.stringify(f)} total, window ${window}`);
          }
        }
      }
      // an empty log
      assert.deepEqual(await searchDecisions((await target.fresh()).store, { outcome: 'DROP' }, 10, 4), { decisions: [], total: 0 });
      // turns of the event loop while 29 decisions are searched in windows of 4: one at least between
      // windows. SQLite's reads are synchronous; PostgreSQL's wait on the network, which lets the
      // loop turn whatever the search does, so the count tells nothing there.
      if (target.provider === 'sqlite') {
        const turns = await loopTurnsDuring(() => searchDecisions(d.store, { outcome: 'NONE' }, 10, 4));
        assert.ok(turns >= 7, `the event loop turned ${turns} times during a search of 8 windows`);
      }
    });

    test('deferred queue: the whole queue as listed, undelivered counted, a session’s items delivered at re-join', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      const item = (messageId: string, sessionId?: string, expiresAt?: number) => ({ kind: 'CHAT_MESSAGE' as const, servedUser: ALICE, contentType: 'message/cpim', headers: {}, body: `body ${messageId}\u0000`, messageId, ...(sessionId ? { sessionId } : {}), ...(expiresAt ? { expiresAt } : {}) });
      const t0 = new Date('2026-11-01T10:00:00Z');
      await enqueueDeferred(d.store, alice, 'k1', item('m1', 's1'), t0);
      await enqueueDeferred(d.store, alice, 'k2', item('m2', 's1'), new Date(t0.getTime() + 1));
      await enqueueDeferred(d.store, alice, 'k3', item('m3', undefined, t0.getTime() + 10), new Date(t0.getTime() + 2));
      await expireDeferred(d.store, new Date(t0.getTime() + 60_000));
      assert.equal(await countUndeliveredDeferred(d.store), 3, 'an expired item is not delivered');
      assert.equal(await markSessionDeferredDelivered(d.store, 's1', new Date(t0.getTime() + 5)), 2);
      assert.equal(await markSessionDeferredDelivered(d.store, 's1'), 0, 'marked once');
      assert.equal(await countUndeliveredDeferred(d.store), 1);
      const listed = await listDeferred(d.store, alice);
      assert.deepEqual(listed.map((r) => [r.messageId, r.sessionId, r.deliveredAt !== null, r.expiredAt !== null]), [['m1', 's1', true, false], ['m2', 's1', true, false], ['m3', null, false, true]]);
      assert.equal(listed[0].body, 'body m1\u0000', 'the body comes back as stored');
    });

    test('message store: a conversation folder found without being created; folders listed with their objects', async () => {
      const d = await target.fresh();
      const alice = await d.user(ALICE);
      assert.equal(await findConversationFolder(d.store, alice, 'conv-1'), null);
      const s = await sessionFolder(d.store, alice, 'conv-1', 'contrib-1');
      const conv = await findConversationFolder(d.store, alice, 'conv-1');
      assert.equal(conv?.id, s.parentId);
      const o = await storeObject(d.store, { userId: alice, folderId: s.id, object: { kind: 'MESSAGE', contentType: 'text/plain', headers: { From: 'bob' }, body: 'hi', imdnMessageId: 'm1' } });
      await setFlag(d.store, o.id, '\\Seen');
      const listed = await foldersWithObjects(d.store, alice);
      assert.deepEqual(listed.map((f) => [f.kind, f.objects.length]), [['CONVERSATION', 0], ['SESSION_HISTORY', 1]]);
      assert.deepEqual([listed[1].objects[0].headers, listed[1].objects[0].flags, listed[1].objects[0].body], [{ From: 'bob' }, ['\\Seen'], 'hi']);
    });

    test('topology peers: the file’s peers upserted by role and address, listed oldest first', async () => {
      const d = await target.fresh();
      await upsertTopologyPeers(d.store, [{ role: 'CF', name: 'cf', address: '127.0.0.1:5070' }, { role: 'IWF', name: 'iwf', address: '127.0.0.1:5080' }]);
      await upsertTopologyPeers(d.store, [{ role: 'CF', name: 'cf renamed', address: '127.0.0.1:5070' }]);
      const peers = await listPeersOldestFirst(d.store);
      assert.deepEqual(peers.map((p) => [p.role, p.name]), [['CF', 'cf renamed'], ['IWF', 'iwf']]);
      assert.equal((await listAudit(d.store)).length, 0, 'configuration from the file is not an operator edit');
    });

    test('operators and their login sessions: create (audited), find, list, reset (sessions ended), expiry', async () => {
      const d = await target.fresh();
      const admin = await insertOperator(d.store, { username: 'admin', passwordHash: 'h1', role: 'admin' }, 'environment');
      await insertOperator(d.store, { username: 'ann', passwordHash: 'h2', role: 'viewer' }, 'admin');
      await assert.rejects(insertOperator(d.store, { username: 'ann', passwordHash: 'h3', role: 'viewer' }, 'admin'));
      assert.equal((await findOperator(d.store, 'admin'))?.passwordHash, 'h1');
      assert.equal(await findOperator(d.store, 'nobody'), null);
      assert.deepEqual((await listOperatorRecords(d.store)).map((o) => o.username), ['admin', 'ann']);
      assert.equal(await countActiveAdmins(d.store), 1);

      const t = new Date('2026-11-01T10:00:00Z');
      await insertOperatorSession(d.store, { id: 's1', operatorId: admin.id, csrfToken: 'c1', expiresAt: new Date(t.getTime() + 1000), address: '192.0.2.1' });
      await insertOperatorSession(d.store, { id: 's2', operatorId: admin.id, csrfToken: 'c2', expiresAt: new Date(t.getTime() + 9000) });
      const s1 = await findOperatorSession(d.store, 's1');
      assert.deepEqual([s1?.operator.username, s1?.csrfToken, s1?.address], ['admin', 'c1', '192.0.2.1']);
      assert.equal(await deleteExpiredOperatorSessions(d.store, new Date(t.getTime() + 1000)), 1);
      assert.equal(await findOperatorSession(d.store, 's1'), null);
      await resetAdminPassword(d.store, admin.id, 'admin', 'h9', 'environment');
      assert.equal(await findOperatorSession(d.store, 's2'), null, 'a reset ends the account’s sessions');
      assert.equal((await findOperator(d.store, 'admin'))?.passwordHash, 'h9');
      await insertOperatorSession(d.store, { id: 's3', operatorId: admin.id, csrfToken: 'c3', expiresAt: new Date(t.getTime() + 9000) });
      await deleteOperatorSession(d.store, 's3');
      await deleteOperatorSessions(d.store, admin.id);
      assert.equal(await findOperatorSession(d.store, 's3'), null);
      assert.deepEqual((await listAudit(d.store)).map((a) => a.action).sort(), ['operator.create', 'operator.create', 'operator.password-reset']);
    });
  });
}
