// Peers (topology) and CPM sessions with their legs, on SQLite and PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpmSession, Leg } from '../engine/model';
import { listAudit } from './audit';
import { createPeer, deletePeer, getPeer, listPeers, loadPeerSeedFile, updatePeer } from './peers';
import { closeLeftoverSessions, getSession, listSessions, liveSessionSnapshots, RESTART_REASON, setLegReleaseReason, upsertSession } from './sessions';
import { databaseTargets } from './test-databases';

function leg(id: string, kind: Leg['kind'], state: Leg['state'] = 'CONNECTED', device?: string): Leg {
  return { id, kind, dialog: { callId: `call-${id}`, localTag: 'l', remoteTag: 'r' }, mediaStreams: [], state, suitable: true, ...(device ? { device } : {}) };
}

function session(id: string, servedUser: string, over: Partial<CpmSession> = {}): CpmSession {
  return {
    id,
    servedUser,
    type: 'GROUP',
    conversationId: `conv-${id}`,
    contributionId: `contrib-${id}`,
    groupSessionIdentity: 'sip:group-1@cf.example.com',
    legs: [leg(`${id}-c1`, 'CLIENT', 'CONNECTED', 'phone'), leg(`${id}-cf`, 'CF')],
    interworked: false,
    usesSessionHistoryFolder: true,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: { version: 3, confActive: true, users: {}, source: 'OWN_SUBSCRIPTION' },
    isComposingFrom: [],
    isComposingSentByServedClients: false,
    ...over,
  };
}

for (const target of databaseTargets()) {
  describe(`topology and sessions on ${target.provider}`, () => {
    test('peers: create, update, delete, each audited; duplicates and bad addresses refused', async () => {
      const d = await target.fresh();
      const cf = await createPeer(d.prisma, { role: 'CF', name: 'cf-1', address: 'sip:CF.example.com' }, 'op');
      assert.equal(cf.address, 'sip:cf.example.com');
      await assert.rejects(createPeer(d.prisma, { role: 'CF', name: 'again', address: 'sip:cf.example.com' }, 'op'), /exists already/);
      await assert.rejects(createPeer(d.prisma, { role: 'IWF', name: 'x', address: 'nowhere' }, 'op'), /host:port or a sip: URI/);
      const iwf = await createPeer(d.prisma, { role: 'IWF', name: 'sms', address: '10.0.0.9:5060' }, 'op');
      // the same address may hold two roles
      await createPeer(d.prisma, { role: 'REMOTE_PF', name: 'pf-b', address: '10.0.0.9:5060' }, 'op');

      const moved = await updatePeer(d.prisma, iwf.id, { address: '10.0.0.10:5060' }, 'op2');
      assert.equal(moved?.address, '10.0.0.10:5060');
      assert.equal(moved?.name, 'sms');
      assert.equal(await updatePeer(d.prisma, 'missing', { name: 'x' }, 'op2'), null);
      assert.deepEqual((await listPeers(d.prisma, 'IWF')).map((p) => p.address), ['10.0.0.10:5060']);
      assert.equal(await deletePeer(d.prisma, cf.id, 'op3'), true);
      assert.equal(await getPeer(d.prisma, cf.id), null);
      assert.equal(await deletePeer(d.prisma, cf.id, 'op3'), false);

      const audit = (await listAudit(d.prisma, { actionPrefix: 'peer.' })).reverse();
      assert.deepEqual(audit.map((a) => `${a.action} ${a.actor}`), ['peer.create op', 'peer.create op', 'peer.create op', 'peer.update op2', 'peer.delete op3']);
      assert.deepEqual(audit[3].before, { role: 'IWF', name: 'sms', address: '10.0.0.9:5060' });
      assert.deepEqual(audit[3].after, { role: 'IWF', name: 'sms', address: '10.0.0.10:5060' });
      assert.equal(audit[4].target, `peer:${cf.id}`);
    });

    test('peer seed file: upserts by role and address; loading it twice changes nothing; a bad file writes nothing', async () => {
      const d = await target.fresh();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'peer-seed-'));
      try {
        const file = path.join(dir, 'peers.json');
        const peers = [
          { role: 'CF', name: 'cf-1', address: 'sip:cf.example.com' },
          { role: 'REMOTE_PF', name: 'pf-b', address: '127.0.0.1:5070' },
          { role: 'IWF', name: 'sms-iwf', address: 'sip:iwf.example.com;transport=tcp' },
        ];
        writeFileSync(file, JSON.stringify({ peers }));
        assert.deepEqual(await loadPeerSeedFile(d.prisma, file), { created: 3, updated: 0, unchanged: 0 });
        assert.deepEqual(await loadPeerSeedFile(d.prisma, file), { created: 0, updated: 0, unchanged: 3 });
        peers[0].name = 'cf-main';
        writeFileSync(file, JSON.stringify(peers));
        assert.deepEqual(await loadPeerSeedFile(d.prisma, file), { created: 0, updated: 1, unchanged: 2 });
        assert.equal((await listPeers(d.prisma, 'CF'))[0].name, 'cf-main');
        writeFileSync(file, JSON.stringify([{ role: 'CF', name: 'new', address: 'sip:new.example.com' }, { role: 'CF', name: '', address: 'a:1' }]));
        await assert.rejects(loadPeerSeedFile(d.prisma, file), /entry 1: name/);
        assert.equal((await listPeers(d.prisma)).length, 3);
        assert.equal((await listAudit(d.prisma, { actionPrefix: 'peer.' })).length, 4);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('sessions: upsert from the engine value, legs tracked, released legs kept; get returns the snapshot', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const t0 = new Date('2026-11-01T10:00:00Z');
      const s = session('s1', 'sip:alice@example.com');
      await upsertSession(d.prisma, alice, s, { now: t0 });
      await upsertSession(d.prisma, alice, s, { now: t0 }); // replay: no duplicate legs

      let got = await getSession(d.prisma, 's1');
      assert.equal(got?.legs.length, 2);
      assert.deepEqual(got?.snapshot, s);
      assert.equal(got?.servedUser, 'sip:alice@example.com');

      // BYE-1: the client leg terminates, a second client joined, the CF leg disappears from the value
      const t1 = new Date('2026-11-01T10:05:00Z');
      const s2 = { ...s, legs: [leg('s1-c1', 'CLIENT', 'TERMINATED', 'phone'), leg('s1-c2', 'CLIENT', 'CONNECTED', 'tablet')] };
      await upsertSession(d.prisma, alice, s2, { now: t1, releaseReasons: { 's1-c1': 'SIP;cause=200;text="Call completed"' } });
      got = await getSession(d.prisma, 's1');
      const byId = new Map(got!.legs.map((l) => [l.id, l]));
      assert.equal(byId.get('s1-c1')?.state, 'TERMINATED');
      assert.equal(byId.get('s1-c1')?.releasedAt?.toISOString(), t1.toISOString());
      assert.equal(byId.get('s1-c1')?.releaseReason, 'SIP;cause=200;text="Call completed"');
      assert.equal(byId.get('s1-cf')?.state, 'TERMINATED', 'a leg gone from the value is marked terminated');
      assert.equal(byId.get('s1-c2')?.device, 'tablet');
      assert.equal(got?.endedAt, null);

      // a later write does not move releasedAt or replace the recorded reason
      await upsertSession(d.prisma, alice, { ...s2, mode: 'RELEASED' }, { now: new Date('2026-11-01T11:00:00Z'), releaseReasons: { 's1-c1': 'other' } });
      await setLegReleaseReason(d.prisma, 's1-c1', 'late');
      await setLegReleaseReason(d.prisma, 's1-cf', 'SIP;cause=410');
      got = await getSession(d.prisma, 's1');
      const again = new Map(got!.legs.map((l) => [l.id, l]));
      assert.equal(again.get('s1-c1')?.releasedAt?.toISOString(), t1.toISOString());
      assert.equal(again.get('s1-c1')?.releaseReason, 'SIP;cause=200;text="Call completed"');
      assert.equal(again.get('s1-cf')?.releaseReason, 'SIP;cause=410');
      assert.equal(got?.mode, 'RELEASED');
      assert.equal(got?.endedAt?.toISOString(), '2026-11-01T11:00:00.000Z');
      assert.equal(await getSession(d.prisma, 'nope'), null);
    });

    test('sessions: list filters by user, type, mode and leg state, newest change first', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bob = await d.user('sip:bob@example.com');
      await upsertSession(d.prisma, alice, session('a1', 'sip:alice@example.com'));
      await upsertSession(d.prisma, alice, session('a2', 'sip:alice@example.com', { type: 'ONE_TO_ONE', mode: 'REMAIN_DISCONNECTED', legs: [leg('a2-r', 'REMOTE_PF', 'TERMINATED')] }));
      await upsertSession(d.prisma, bob, session('b1', 'sip:bob@example.com', { mode: 'RELEASED' }));
      await upsertSession(d.prisma, alice, session('a1', 'sip:alice@example.com')); // a1 changed last

      const ids = async (q: Parameters<typeof listSessions>[1]) => (await listSessions(d.prisma, q)).map((s) => s.id);
      assert.deepEqual(await ids({ userId: alice }), ['a1', 'a2']);
      assert.deepEqual(await ids({ type: 'ONE_TO_ONE' }), ['a2']);
      assert.deepEqual(await ids({ mode: 'RELEASED' }), ['b1']);
      assert.deepEqual((await ids({ mode: ['ACTIVE', 'REMAIN_DISCONNECTED'] })).sort(), ['a1', 'a2']);
      assert.deepEqual((await ids({ legState: 'CONNECTED' })).sort(), ['a1', 'b1']);
      assert.deepEqual(await ids({ conversationId: 'conv-b1' }), ['b1']);
      const a1 = (await listSessions(d.prisma, { userId: alice }))[0];
      assert.deepEqual([a1.legCount, a1.connectedLegs, a1.servedUser], [2, 2, 'sip:alice@example.com']);
      const page1 = await listSessions(d.prisma, { limit: 1 });
      const page2 = await listSessions(d.prisma, { limit: 5, updatedBefore: page1[0].updatedAt });
      assert.ok(!page2.some((s) => s.id === page1[0].id));
      assert.deepEqual((await liveSessionSnapshots(d.prisma)).map((s) => s.id).sort(), ['a1', 'a2']);
    });

    test('D-108: closing one instance’s leftover sessions at start keeps a leg’s own Reason and leaves other instances alone', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const at = new Date('2026-11-02T08:00:00Z');
      await upsertSession(d.prisma, alice, session('m1', 'sip:alice@example.com'), { instance: 'pf-a' });
      const withGoneLeg = session('m2', 'sip:alice@example.com', { mode: 'REMAIN_DISCONNECTED', legs: [leg('m2-c1', 'CLIENT', 'TERMINATED'), leg('m2-cf', 'CF')] });
      await upsertSession(d.prisma, alice, withGoneLeg, { instance: 'pf-a', releaseReasons: { 'm2-c1': 'SIP;cause=503' } });
      await upsertSession(d.prisma, alice, session('m3', 'sip:alice@example.com', { mode: 'RELEASED' }), { instance: 'pf-a' });
      await upsertSession(d.prisma, alice, session('o1', 'sip:alice@example.com'), { instance: 'pf-b' });

      assert.equal(await closeLeftoverSessions(d.prisma, 'pf-a', at), 2);
      const m1 = await getSession(d.prisma, 'm1');
      assert.equal(m1?.mode, 'RELEASED');
      assert.equal(m1?.endedAt?.toISOString(), at.toISOString());
      assert.ok(m1?.legs.every((l) => l.state === 'TERMINATED' && l.releaseReason === RESTART_REASON && l.releasedAt?.getTime() === at.getTime()));
      const m2 = await getSession(d.prisma, 'm2');
      assert.deepEqual(m2?.legs.map((l) => [l.id, l.state, l.releaseReason]), [['m2-c1', 'TERMINATED', 'SIP;cause=503'], ['m2-cf', 'TERMINATED', RESTART_REASON]]);
      assert.equal((await getSession(d.prisma, 'o1'))?.mode, 'ACTIVE');
      assert.deepEqual((await liveSessionSnapshots(d.prisma)).map((s) => s.id), ['o1']);
      assert.equal(await closeLeftoverSessions(d.prisma, 'pf-a', at), 0, 'a second start finds nothing to close');
    });
  });
}
