// The engine-call recording on SQLite and PostgreSQL: batches written off the request path come
// back whole and byte-exact (latin1 bodies), a window reads only its calls, retention prunes old
// batches, and a failed write does not stop later ones.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReplay } from '../engine/replay/replay';
import { DEFAULT_POLICY } from '../engine/policy';
import { recordingEngine } from '../sip/engine-calls';
import { EngineRecorder, pruneRecordings, recordedCalls, recordingSize } from './engine-recording';
import { databaseTargets } from './test-databases';
import { randomBytes } from 'node:crypto';
import { SqliteWriterThread } from './sqlite-writer-thread';
import { sqliteFileOf } from './open-client';
import { fullGc } from '../../e2e/support/gc';

const ALICE = 'sip:alice@example.com';
const LATIN1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

function deliver(engine: ReturnType<typeof recordingEngine>, i: number, policy = DEFAULT_POLICY) {
  return engine.call('deliverStandalone', {
    deliveryId: `pager:${i}`,
    servedUser: ALICE,
    txn: `t${i}`,
    message: { method: 'MESSAGE', uri: ALICE, headers: { 'call-id': [`c${i}`], 'content-type': ['text/plain'] }, body: `${i} ${LATIN1}` },
    registrations: [],
    prefs: { allowOfflineStorage: false, allowStore: false, allowDefer: i % 2 === 0, hasCpmOfflineStorageRule: false, source: 'XDMS' },
    skip: [],
    policy,
  });
}

for (const target of databaseTargets()) {
  describe(`engine recording on ${target.provider}`, () => {
    test('REPLAY-EQ: calls recorded over several batches and two policies come back byte-exact and replay to the same results', async () => {
      const d = await target.fresh();
      const rec = new EngineRecorder(d.prisma, { maxBatch: 7 });
      let now = Date.UTC(2026, 11, 4, 10);
      const engine = recordingEngine(rec, () => now);
      const other = { ...DEFAULT_POLICY, untaggedClientsSuitable: false };
      for (let i = 0; i < 30; i++) {
        now += 1000;
        deliver(engine, i, i < 15 ? DEFAULT_POLICY : other);
      }
      await rec.close();
      const size = await recordingSize(d.prisma);
      assert.equal(size.calls, 30);
      assert.equal(size.rows, 5, 'batches of 7 calls, the last one short');
      const calls = await recordedCalls(d.prisma, new Date(Date.UTC(2026, 11, 4, 10)), new Date(Date.UTC(2026, 11, 4, 11)));
      assert.equal(calls.length, 30);
      assert.equal((calls[3].a.message as { body: string }).body, `3 ${LATIN1}`);
      assert.equal((calls[20].a.policy as { untaggedClientsSuitable: boolean }).untaggedClientsSuitable, false);
      assert.deepEqual(checkReplay(calls).mismatches, []);
      // a window inside: only its calls (batch boundaries do not matter)
      const mid = await recordedCalls(d.prisma, new Date(Date.UTC(2026, 11, 4, 10, 0, 10)), new Date(Date.UTC(2026, 11, 4, 10, 0, 12)));
      assert.deepEqual(mid.map((c) => c.a.txn), ['t9', 't10', 't11']);
    });

    test('REPLAY-EQ, D-288: an IMDN part recorded as its request\'s body and the preferences by version are defined again in each batch that uses them, so every batch reads alone', async () => {
      const { imdnMessage } = await import('../engine/imdn/fixtures');
      const { ImdnCache } = await import('../engine/imdn/cache');
      const { recordedBatches } = await import('./engine-recording');
      const { parseBatch } = await import('../engine/replay/tape');
      const d = await target.fresh();
      // a batch per two calls: IMDN-RX and IMDN-DLV in one, each fork's outcome in the next ones
      const rec = new EngineRecorder(d.prisma, { maxBatch: 2 });
      const now = Date.UTC(2026, 11, 4, 10);
      const engine = recordingEngine(rec, () => now);
      const prefs = { allowOfflineStorage: false, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: false, source: 'XDMS' as const };
      const message = imdnMessage({ messageId: 'm-1', type: 'delivery', status: 'delivered' });
      const rx = engine.call('receiveImdn', { servedUser: ALICE, message, cache: new ImdnCache({ name: 'RX', ttlSec: 300 }), messageIndex: () => undefined, session: () => undefined, policy: DEFAULT_POLICY, now, txn: 't1' });
      const registrations = [0, 1, 2].map((n) => ({ contact: `sip:alice@10.0.0.${n}`, icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg'], imdnAggregation: false }));
      const dlv = engine.call('deliverImdn', { deliveryId: 'imdn:1', servedUser: ALICE, txn: 't1', message, parts: rx.forward, registrations, prefs, policy: DEFAULT_POLICY, now, buffers: {} });
      let delivery = dlv.delivery!;
      for (const fork of delivery.forks) {
        delivery = engine.call('imdnForkOutcome', { delivery, forkId: fork.id, code: 480, prefs, policy: DEFAULT_POLICY, locator: { folderOfOriginal: () => undefined, conversationFolder: () => undefined }, now: now + 1 }).delivery;
      }
      await rec.close();
      const batches = [];
      for await (const b of recordedBatches(d.prisma, new Date(now - 1), new Date(now + 1000))) batches.push(b.lines);
      assert.equal(batches.length, 3, 'IMDN-RX and IMDN-DLV, then the three fork outcomes two by two');
      for (const lines of batches) {
        // the part refers to the request view, which is in the same batch, before it
        assert.ok(lines.some((l) => /"rawOf":/.test(l)), lines.join('\n'));
        assert.ok(lines.some((l) => l.startsWith('{"v":') && l.includes('"allowDefer":true')), 'the preferences are defined in each batch');
        assert.deepEqual(checkReplay(parseBatch(lines)).mismatches, []);
      }
    });

    test('retention deletes batches whose last call is older than the cut', async () => {
      const d = await target.fresh();
      const rec = new EngineRecorder(d.prisma, { maxBatch: 2 });
      let now = Date.UTC(2026, 11, 1);
      const engine = recordingEngine(rec, () => now);
      for (let i = 0; i < 6; i++) {
        now += 3_600_000;
        deliver(engine, i);
      }
      await rec.close();
      assert.equal(await pruneRecordings(d.prisma, new Date(Date.UTC(2026, 11, 1, 4, 30))), 2);
      assert.equal((await recordingSize(d.prisma)).calls, 2);
    });

    test('a database that stalls: at most maxPending batches wait in memory, the rest are dropped and reported', async () => {
      const d = await target.fresh();
      const dropped: number[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const db = new Proxy(d.prisma, {
        get(t, k) {
          if (k !== 'engineRecording') return Reflect.get(t, k);
          const model = Reflect.get(t, k) as { create: (a: unknown) => Promise<unknown> };
          return { ...model, create: async (a: unknown) => (await gate, model.create(a)) };
        },
      });
      const rec = new EngineRecorder(db, { maxBatch: 1, maxPending: 2, onError: (_e, n) => dropped.push(n) });
      const engine = recordingEngine(rec, () => Date.now());
      for (let i = 0; i < 5; i++) deliver(engine, i);
      assert.deepEqual(dropped, [1, 1, 1], 'two batches wait for the database (one of them being written), three are dropped');
      release();
      await rec.close();
      assert.equal((await recordingSize(d.prisma)).calls, 2);
    });

    test('a batch that cannot be written is reported and later batches are written', async () => {
      const d = await target.fresh();
      const errors: number[] = [];
      let failNext = true;
      const db = new Proxy(d.prisma, {
        get(t, k) {
          if (k !== 'engineRecording') return Reflect.get(t, k);
          const model = Reflect.get(t, k) as { create: (a: unknown) => Promise<unknown> };
          return new Proxy(model, {
            get(m, mk) {
              if (mk === 'create' && failNext) {
                failNext = false;
                return () => Promise.reject(new Error('disk full'));
              }
              return Reflect.get(m, mk);
            },
          });
        },
      });
      const rec = new EngineRecorder(db, { maxBatch: 3, onError: (_e, n) => errors.push(n) });
      const engine = recordingEngine(rec, () => Date.now());
      for (let i = 0; i < 6; i++) deliver(engine, i);
      await rec.close();
      assert.deepEqual(errors, [3]);
      assert.equal((await recordingSize(d.prisma)).calls, 3);
    });
  });
}


// D-312: Prisma's driver adapters log every query's arguments through @prisma/debug, which keeps
// the last 100 calls' arguments whether or not debugging is on. A recorded batch's bytes went
// through Prisma as a parameter, so the main thread kept the last 100 batches alive (34 MB in a
// scratch run of 250 KB batches). On SQLite the batches are written on the writer thread.
test('D-312 (sqlite, writer thread): written batches leave no copy of their bytes on the main thread, and read back whole', async () => {
  const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;
  const d = await sqlite.fresh();
  const thread = new SqliteWriterThread(sqliteFileOf(d.url));
  try {
    const rec = new EngineRecorder(d.prisma, { maxBatch: 40, maxPending: 1000, thread });
    let now = Date.UTC(2026, 11, 5, 10);
    const engine = recordingEngine(rec, () => now);
    // incompressible bodies: each batch is about 270 KB after deflate
    const noise = (i: number) => randomBytes(5000).toString('base64') + i;
    const message = (i: number) => ({ method: 'MESSAGE', uri: ALICE, headers: { 'call-id': [`c${i}`], 'content-type': ['text/plain'] }, body: noise(i) });
    const call = (i: number) => engine.call('deliverStandalone', {
      deliveryId: `pager:${i}`, servedUser: ALICE, txn: `t${i}`, message: message(i), registrations: [],
      prefs: { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' }, skip: [], policy: DEFAULT_POLICY,
    });
    // a first round, so that what stays for any client (its query plans, the statement cache) is there before measuring
    for (let i = 0; i < 400; i++) call(i);
    await rec.flush();
    fullGc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 400; i < 5200; i++) {
      now += 10;
      call(i);
      if (i % 400 === 0) await rec.flush();
    }
    await rec.flush();
    fullGc();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    assert.ok(grown < 8, `the main thread's heap grew by ${grown.toFixed(1)} MB over 120 batches`);
    const calls = await recordedCalls(d.prisma, new Date(0), new Date(now + 1000));
    assert.equal(calls.length, 5200);
  } finally {
    await thread.close();
  }
});
