// D-337: on PostgreSQL the decision log's writes run on a worker thread with a connection of its
// own. The rows it writes read back through Prisma exactly as the rows of the Prisma INSERT do;
// nothing appended is lost; a batch that fails is reported and later batches are still written;
// a connection the server ended is replaced for the next batch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DecisionLog } from './decision-log';
import { PostgresWriterThread, ROWS_PER_STATEMENT } from './postgres-writer-thread';
import { databaseTargets } from './test-databases';
import { openDatabase } from './database';
import { assertWriterMatchesPrisma } from './decision-writer-property';

const postgres = databaseTargets().find((t) => t.provider === 'postgresql')!;

const GHOST = 'sip:ghost@example.com';
const one = (i: number, servedUser: string | null = null) => ({ at: new Date(i).toISOString(), servedUser, procedure: 'P', branch: 'B', outcome: 'O', summary: `n${i}`, messageId: null, disposition: null, callId: null, inputs: { i } });

describe('D-337 decision writer thread (PostgreSQL)', () => {
  test('rows written by the thread read back like the rows of the Prisma INSERT', async () => {
    await assertWriterMatchesPrisma(postgres, (url) => new PostgresWriterThread(url), 25);
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

test('D-337 with Prisma\'s ?schema= in DATABASE_URL the thread writes into that schema, where Prisma reads', async () => {
  const url = await postgres.freshUrl();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE SCHEMA pf_other');
  await admin.end();
  const schemaUrl = `${url}?schema=pf_other`;
  const d = await openDatabase(schemaUrl);
  const writer = new PostgresWriterThread(schemaUrl);
  try {
    const log = new DecisionLog(d.prisma, () => undefined, { writer });
    await log.init();
    log.append(one(1));
    await log.close();
    assert.deepEqual((await d.prisma.decision.findMany()).map((r) => r.summary), ['n1']);
  } finally {
    await writer.close();
    await d.close();
  }
});
