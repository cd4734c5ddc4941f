// D-250: the decision log's SQLite writes on a worker thread. The rows it writes read back through
// Prisma exactly as the rows of the Prisma INSERT do (for any decision); nothing appended is lost;
// a batch that fails is reported and later batches are still written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DecisionRecord } from '../live/events';
import { DecisionLog } from './decision-log';
import { SqliteDecisionWriter } from './decision-writer';
import { sqliteFileOf } from './open-client';
import { databaseTargets } from './test-databases';

const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;

const text = fc.string({ unit: 'binary', maxLength: 40 });
const decision = fc.record({
  at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  servedUser: fc.option(fc.constant('sip:alice@example.com'), { nil: null }),
  procedure: text,
  branch: text,
  outcome: text,
  summary: text,
  messageId: fc.option(text, { nil: null }),
  disposition: fc.option(text, { nil: null }),
  callId: fc.option(text, { nil: null }),
  sessionId: fc.option(text, { nil: null }),
  inputs: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })) as fc.Arbitrary<Record<string, unknown>>,
});

const comparable = (r: DecisionRecord) => ({ ...r, seq: 0 });

describe('D-250 decision writer thread (SQLite)', () => {
  test('rows written by the thread read back like the rows of the Prisma INSERT', async () => {
    const viaPrisma = await sqlite.fresh();
    const viaThread = await sqlite.fresh();
    const users = [await viaPrisma.user('sip:alice@example.com'), await viaThread.user('sip:alice@example.com')];
    const a = new DecisionLog(viaPrisma.prisma, (aor) => (aor === 'sip:alice@example.com' ? users[0] : undefined), { flushMs: 1 });
    const b = new DecisionLog(viaThread.prisma, (aor) => (aor === 'sip:alice@example.com' ? users[1] : undefined), { flushMs: 1, writer: new SqliteDecisionWriter(sqliteFileOf(viaThread.url)) });
    await a.init();
    await b.init();
    await fc.assert(
      fc.asyncProperty(fc.array(decision, { minLength: 1, maxLength: 20 }), async (ds) => {
        const from = (await a.since(0, 1)).length ? (await a.since(0, 1e9)).at(-1)!.seq : 0;
        for (const d of ds) {
          a.append(d);
          b.append(d);
        }
        const [ra, rb] = [await a.since(from, 1e9), await b.since(from, 1e9)];
        assert.equal(rb.length, ds.length);
        assert.deepEqual(rb.map((r) => r.seq), ra.map((r) => r.seq));
        assert.deepEqual(rb.map(comparable), ra.map(comparable));
      }),
      { numRuns: 30 },
    );
    await a.close();
    await b.close();
  });

  test('nothing appended is lost; close waits for the thread', async () => {
    const d = await sqlite.fresh();
    const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 50, writer: new SqliteDecisionWriter(sqliteFileOf(d.url)) });
    await log.init();
    for (let i = 0; i < 2000; i++) log.append({ at: new Date(i).toISOString(), servedUser: null, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: { i } });
    await log.close();
    assert.equal(await d.prisma.decision.count(), 2000);
    const agg = await d.prisma.decision.aggregate({ _min: { seq: true }, _max: { seq: true } });
    assert.deepEqual([agg._min.seq, agg._max.seq], [1, 2000]);
  });

  test('a batch that fails is reported, written not at all, and later batches are still written', async () => {
    const d = await sqlite.fresh();
    const failures: number[] = [];
    const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 10, onError: (_e, batch) => failures.push(batch.length), writer: new SqliteDecisionWriter(sqliteFileOf(d.url)) });
    await log.init();
    // seq 1..3 exist already: the first batch collides with the unique seq
    await d.prisma.decision.createMany({ data: [1, 2, 3].map((seq) => ({ seq, at: new Date(), procedure: 'X', branch: 'X', outcome: 'X', summary: '', inputs: '{}' })) });
    const one = (i: number) => ({ at: new Date(i).toISOString(), servedUser: null, procedure: 'P', branch: 'B', outcome: 'O', summary: '', messageId: null, disposition: null, callId: null, inputs: {} });
    for (let i = 0; i < 10; i++) log.append(one(i));
    await log.flush();
    for (let i = 10; i < 15; i++) log.append(one(i));
    await log.close();
    assert.deepEqual(failures, [10]);
    assert.deepEqual((await d.prisma.decision.findMany({ orderBy: { seq: 'asc' } })).map((r) => r.seq), [1, 2, 3, 11, 12, 13, 14, 15]);
  });

  test('a large batch is written in short transactions: a failure keeps what came before it, writes nothing after', async () => {
    const d = await sqlite.fresh();
    const failures: number[] = [];
    const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 1000, flushMs: 10_000, onError: (_e, batch) => failures.push(batch.length), writer: new SqliteDecisionWriter(sqliteFileOf(d.url)) });
    await log.init();
    // seq 100 exists already: the transaction holding it (rows 65..128) fails
    await d.prisma.decision.create({ data: { seq: 100, at: new Date(), procedure: 'X', branch: 'X', outcome: 'X', summary: '', inputs: '{}' } });
    for (let i = 0; i < 200; i++) log.append({ at: new Date(i).toISOString(), servedUser: null, procedure: 'P', branch: 'B', outcome: 'O', summary: '', messageId: null, disposition: null, callId: null, inputs: {} });
    await log.close();
    assert.deepEqual(failures, [200]);
    const seqs = (await d.prisma.decision.findMany({ where: { procedure: 'P' }, orderBy: { seq: 'asc' }, select: { seq: true } })).map((r) => r.seq);
    assert.deepEqual(seqs, Array.from({ length: 64 }, (_, i) => i + 1));
  });
});
