// D-337: on PostgreSQL the decision log's writes run on a worker thread with a connection of its
// own. The rows it writes read back through Prisma exactly as the rows of the Prisma INSERT do;
// nothing appended is lost; a batch that fails is reported and later batches are still written;
// a connection the server ended is replaced for the next batch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pg from 'pg';
import type { DecisionRecord } from '../live/events';
import { DecisionLog } from './decision-log';
import { PostgresWriterThread, ROWS_PER_STATEMENT } from './postgres-writer-thread';
import { databaseTargets } from './test-databases';

const postgres = databaseTargets().find((t) => t.provider === 'postgresql')!;

const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\u0000', '')); // PostgreSQL text holds no NUL
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
  inputs: fc.dictionary(fc.string({ maxLength: 8 }).map((s) => s.replaceAll('\u0000', '')), fc.jsonValue({ maxDepth: 2 })) as fc.Arbitrary<Record<string, unknown>>,
});

const comparable = (r: DecisionRecord) => ({ ...r, seq: 0 });
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
const GHOST = 'sip:ghost@example.com';
const one = (i: number, servedUser: string | null = null) => ({ at: new Date(i).toISOString(), servedUser, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: { i } });

describe('D-337 decision writer thread (PostgreSQL)', () => {
  test('rows written by the thread read back like the rows of the Prisma INSERT', async () => {
    const viaPrisma = await postgres.fresh();
    const viaThread = await postgres.fresh();
    const users = [await viaPrisma.user('sip:alice@example.com'), await viaThread.user('sip:alice@example.com')];
    const a = new DecisionLog(viaPrisma.prisma, (aor) => (aor === 'sip:alice@example.com' ? users[0] : undefined), { flushMs: 1 });
    const writer = new PostgresWriterThread(viaThread.url);
    const b = new DecisionLog(viaThread.prisma, (aor) => (aor === 'sip:alice@example.com' ? users[1] : undefined), { flushMs: 1, writer });
    await a.init();
    await b.init();
    await fc.assert(
      fc.asyncProperty(fc.array(decision, { minLength: 1, maxLength: 20 }), async (ds) => {
        const last = async (log: DecisionLog) => (await log.since(0, 1e9)).at(-1)?.seq ?? 0;
        const [fromA, fromB] = [await last(a), await last(b)];
        for (const d of ds) {
          a.append({ ...d });
          b.append({ ...d });
        }
        const [ra, rb] = [await a.since(fromA, 1e9), await b.since(fromB, 1e9)];
        assert.equal(rb.length, ds.length);
        assert.ok(increasing(rb.map((r) => r.seq)), 'ids increase in append order');
        assert.deepEqual(rb.map(comparable), ra.map(comparable));
      }),
      { numRuns: 25 },
    );
    await a.close();
    await b.close();
    await writer.close();
  });

  test('nothing appended is lost, batches over one statement included; close waits for the thread', async () => {
    const d = await postgres.fresh();
    const writer = new PostgresWriterThread(d.url, 64);
    const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 500, writer });
    await log.init();
    for (let i = 0; i < 3000; i++) log.append(one(i));
    await log.close();
    await writer.close();
    const rows = await d.prisma.decision.findMany({ orderBy: { seq: 'asc' }, select: { summary: true } });
    assert.deepEqual(rows.map((r) => r.summary), Array.from({ length: 3000 }, (_, i) => `n${i}`), 'every decision, in append order');
  });

  test('a failing statement is reported: what came before it in the batch stays, nothing after it; later batches are written', async () => {
    const d = await postgres.fresh();
    const failures: number[] = [];
    const writer = new PostgresWriterThread(d.url, 4);
    const log = new DecisionLog(d.prisma, (aor) => (aor === GHOST ? 'no-such-user' : undefined), { maxBatch: 10, onError: (_e, batch) => failures.push(batch.length), writer });
    await log.init();
    // statements of 4 rows: n0–n3 go in, the second holds a user row that does not exist
    for (let i = 0; i < 10; i++) log.append(one(i, i === 5 ? GHOST : null));
    await log.flush();
    for (let i = 10; i < 13; i++) log.append(one(i));
    await log.close();
    await writer.close();
    assert.deepEqual(failures, [10]);
    assert.deepEqual((await d.prisma.decision.findMany({ orderBy: { seq: 'asc' } })).map((r) => r.summary), ['n0', 'n1', 'n2', 'n3', 'n10', 'n11', 'n12']);
  });

  test('a connection the server ended is replaced: the batches after it are written', async () => {
    const d = await postgres.fresh();
    const failures: string[] = [];
    const writer = new PostgresWriterThread(d.url);
    const log = new DecisionLog(d.prisma, () => undefined, { flushMs: 1, onError: (e) => failures.push(String((e as Error).message)), writer });
    await log.init();
    log.append(one(0));
    await log.flush();
    // what an operator's pg_terminate_backend or a failover does to the thread's connection
    const admin = new pg.Client({ connectionString: d.url });
    await admin.connect();
    const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cpm-pf decision writer'`);
    await admin.end();
    assert.equal(ended.rowCount, 1, 'the thread\'s one connection, found by its name');
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 1; i < 4; i++) log.append(one(i));
    await log.close();
    await writer.close();
    const rows = await d.prisma.decision.findMany({ orderBy: { seq: 'asc' }, select: { summary: true } });
    assert.deepEqual(rows.map((r) => r.summary), ['n0', 'n1', 'n2', 'n3'], `failures: ${failures}`);
  });

  test('the largest batch the decision log makes is one statement', () => {
    assert.ok(ROWS_PER_STATEMENT >= DecisionLog.MAX_BATCH_DEFAULT);
    assert.ok(ROWS_PER_STATEMENT * 14 <= 65_535, 'under PostgreSQL\'s parameters per statement');
  });
});
