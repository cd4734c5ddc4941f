// D-250: the decision log's SQLite writes on a worker thread. The rows it writes read back through
// Prisma exactly as the rows of the Prisma INSERT do (for any decision); nothing appended is lost;
// a batch that fails is reported and later batches are still written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionLog } from './decision-log';
import { ROWS_PER_TRANSACTION, SqliteWriterThread } from './sqlite-writer-thread';
import { sqliteFileOf } from './open-client';
import { databaseTargets } from './test-databases';
import { assertWriterMatchesPrisma } from './decision-writer-property';
import { EngineRecorder, recordingSize } from './engine-recording';
import { recordingEngine } from '../sip/engine-calls';
import { DEFAULT_POLICY } from '../engine/policy';

const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;

/** a served user whose id names no User row: its decision breaks the foreign key, failing its transaction */
const GHOST = 'sip:ghost@example.com';

describe('D-250 decision writer thread (SQLite)', () => {
  test('rows written by the thread read back like the rows of the Prisma INSERT', async () => {
    await assertWriterMatchesPrisma(sqlite, (url) => new SqliteWriterThread(sqliteFileOf(url)), 30);
  });

  test('nothing appended is lost; close waits for the thread', async () => {
    const d = await sqlite.fresh();
    const writer = new SqliteWriterThread(sqliteFileOf(d.url));
    const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 50, writer });
    await log.init();
    for (let i = 0; i < 2000; i++) log.append({ at: new Date(i).toISOString(), servedUser: null, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: { i } });
    await log.close();
    await writer.close();
    const rows = await d.prisma.decision.findMany({ orderBy: { seq: 'asc' }, select: { seq: true, summary: true } });
    assert.equal(rows.length, 2000);
    assert.deepEqual(rows.map((r) => r.summary), Array.from({ length: 2000 }, (_, i) => `n${i}`), 'every decision, in append order');
  });

  test('a batch that fails is reported, written not at all, and later batches are still written', async () => {
    const d = await sqlite.fresh();
    const failures: number[] = [];
    const writer = new SqliteWriterThread(sqliteFileOf(d.url));
    const log = new DecisionLog(d.prisma, (aor) => (aor === GHOST ? 'no-such-user' : undefined), { maxBatch: 10, onError: (_e, batch) => failures.push(batch.length), writer });
    await log.init();
    const one = (i: number, servedUser: string | null = null) => ({ at: new Date(i).toISOString(), servedUser, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: {} });
    // the first batch holds a decision whose user row does not exist: its transaction fails
    for (let i = 0; i < 10; i++) log.append(one(i, i === 9 ? GHOST : null));
    await log.flush();
    for (let i = 10; i < 15; i++) log.append(one(i));
    await log.close();
    await writer.close();
    assert.deepEqual(failures, [10]);
    assert.deepEqual((await d.prisma.decision.findMany({ orderBy: { seq: 'asc' } })).map((r) => r.summary), ['n10', 'n11', 'n12', 'n13', 'n14']);
  });

  test('a large batch is written in short transactions: a failure keeps what came before it, writes nothing after', async () => {
    const d = await sqlite.fresh();
    const failures: number[] = [];
    // 64 rows per transaction here (the product's is ROWS_PER_TRANSACTION, over its largest batch)
    const writer = new SqliteWriterThread(sqliteFileOf(d.url), 5000, 64);
    const log = new DecisionLog(d.prisma, (aor) => (aor === GHOST ? 'no-such-user' : undefined), { maxBatch: 1000, flushMs: 10_000, onError: (_e, batch) => failures.push(batch.length), writer });
    await log.init();
    // the 100th decision breaks the foreign key: the transaction holding it (rows 65..128) fails
    for (let i = 0; i < 200; i++) log.append({ at: new Date(i).toISOString(), servedUser: i === 99 ? GHOST : null, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: {} });
    await log.close();
    await writer.close();
    assert.deepEqual(failures, [200]);
    const kept = (await d.prisma.decision.findMany({ where: { procedure: 'P' }, orderBy: { seq: 'asc' }, select: { summary: true } })).map((r) => r.summary);
    assert.deepEqual(kept, Array.from({ length: 64 }, (_, i) => `n${i}`));
  });

  // The thread is shared: the decision log, the engine recorder and the session rows write
  // through it. Its owner is whoever made it (the PF, server/pf.ts); a user that closed it on its
  // own close lost the others' last writes (D-325: every PF stop lost up to 5 s of recorded calls).
  test('D-325 closing a decision log leaves the writer thread it was given to its other users: the recorder closed after it is written whole', async () => {
    const d = await sqlite.fresh();
    const writer = new SqliteWriterThread(sqliteFileOf(d.url));
    const failures: string[] = [];
    try {
      const log = new DecisionLog(d.prisma, () => undefined, { writer, onError: (e) => failures.push(String(e)) });
      await log.init();
      const rec = new EngineRecorder(d.prisma, { thread: writer, maxBatch: 1000, onError: (e, n) => failures.push(`${n} calls: ${e}`) });
      const now = Date.UTC(2026, 11, 5, 10);
      const engine = recordingEngine(rec, () => now);
      for (let i = 0; i < 3; i++) {
        log.append({ at: new Date(now).toISOString(), servedUser: null, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: {} });
        engine.call('deliverStandalone', {
          deliveryId: `pager:${i}`, servedUser: 'sip:alice@example.com', txn: `t${i}`,
          message: { method: 'MESSAGE', uri: 'sip:alice@example.com', headers: { 'call-id': [`c${i}`], 'content-type': ['text/plain'] }, body: `${i}` },
          registrations: [], skip: [], policy: DEFAULT_POLICY,
          prefs: { allowOfflineStorage: false, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: false, source: 'XDMS' },
        });
      }
      // the order the old pf.stop() had before D-325, and any user of the log may close it first
      await log.close();
      await rec.close();
      assert.deepEqual(failures, []);
      assert.equal(await d.prisma.decision.count({ where: { procedure: 'P' } }), 3);
      assert.equal((await recordingSize(d.prisma)).calls, 3, 'the recorder\'s batch, written through the thread after the log closed');
      // and the thread still takes rows until its owner closes it
      await writer.writeRecording({ fromAt: new Date(now), toAt: new Date(now), calls: 0, data: Buffer.alloc(0) });
    } finally {
      await writer.close();
    }
  });

  test('D-323 the decision log\'s largest batch is one transaction of the writer thread', () => {
    assert.ok(ROWS_PER_TRANSACTION >= DecisionLog.MAX_BATCH_DEFAULT, `${ROWS_PER_TRANSACTION} rows per transaction, batches of up to ${DecisionLog.MAX_BATCH_DEFAULT}`);
  });
});
