// The batched decision log on SQLite and PostgreSQL: everything appended is written, numbering
// continues across a restart, a failed batch does not stop later ones; and its write throughput.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecisionRecord } from '../live/events';
import { openDatabase } from './database';
import { DecisionLog } from './decision-log';
import { SLOTS } from './decision-ids';
import { SqliteWriterThread } from './sqlite-writer-thread';
import { sqliteFileOf } from './open-client';
import { databaseTargets } from './test-databases';

const N = Number(process.env.DECISION_LOG_N ?? 20_000);

function decision(i: number, servedUser: string | null): Omit<DecisionRecord, 'seq'> {
  return {
    at: new Date(Date.UTC(2026, 10, 1) + i).toISOString(),
    servedUser,
    procedure: 'IMDN-RX',
    branch: i % 2 ? 'IMDN-RX-2a-i' : 'IMDN-RX-1',
    outcome: i % 2 ? 'FORWARD' : 'DROP',
    summary: 'first notification of its type for this message: forwarded to the served user',
    messageId: `msg-${i % 1000}`,
    disposition: 'delivered',
    callId: `call-${i}`,
    sessionId: i % 3 === 0 ? `s-${i % 7}` : null,
    inputs: { cacheHit: false, policy: { imdnDedupKey: 'STATUS_RANKED' }, i },
  };
}

for (const target of databaseTargets()) {
  describe(`decision log on ${target.provider}`, () => {
    test(`writes ${N} decisions in batches, in order, without loss; reports decisions/s`, async (t) => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const users = new Map([['sip:alice@example.com', alice]]);
      const log = new DecisionLog(d.prisma, (aor) => users.get(aor));
      await log.init();
      const made: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < N; i++) made.push(log.append(decision(i, i % 2 ? 'sip:alice@example.com' : null)).seq);
      await log.close();
      const seconds = (performance.now() - t0) / 1000;
      const rate = Math.round(N / seconds);
      t.diagnostic(`${target.provider}: ${N} decisions written in ${seconds.toFixed(2)} s = ${rate} decisions/s`);

      assert.equal(await d.prisma.decision.count(), N);
      assert.ok(made.every((s, i) => i === 0 || s > made[i - 1]), 'ids increase');
      const agg = await d.prisma.decision.aggregate({ _min: { seq: true }, _max: { seq: true } });
      assert.deepEqual([Number(agg._min.seq), Number(agg._max.seq)], [made[0], made[N - 1]]);
      assert.equal(await d.prisma.decision.count({ where: { userId: alice } }), N / 2);
      assert.equal(await d.prisma.decision.count({ where: { sessionId: 's-0' } }), Math.ceil(N / 21));
      // times are stored as Prisma stores them: filters and reads through Prisma see the same instants
      assert.equal(await d.prisma.decision.count({ where: { at: { lt: new Date(Date.UTC(2026, 10, 1) + 100) } } }), 100);
      const tail = await log.since(made[N - 3], 10);
      assert.equal(tail[0].at, decision(N - 2, null).at);
      assert.deepEqual(tail.map((r) => r.seq), [made[N - 2], made[N - 1]]);
      assert.equal(tail[1].servedUser, (N - 1) % 2 ? 'sip:alice@example.com' : null);
      assert.deepEqual(tail[0].inputs, decision(N - 2, null).inputs);
      assert.equal(tail[0].sessionId, decision(N - 2, null).sessionId);
    });

    // A random row id lands each INSERT on a random page of the primary key's index: in WAL mode
    // every row then writes a page of its own, and the id index cost a quarter of the writer
    // thread's CPU under IMDN load (D-315). Ids that follow the event ids append instead.
    test('D-315 row ids sort as their event ids do, after any id a random UUID gave an older row', async () => {
      const d = await target.fresh();
      const writers = target.provider === 'sqlite' ? [undefined, new SqliteWriterThread(sqliteFileOf(d.url))] : [undefined];
      for (const writer of writers) {
        const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 50, ...(writer ? { writer } : {}) });
        await log.init();
        for (let i = 0; i < 300; i++) log.append(decision(i, null));
        await log.close();
        await writer?.close();
      }
      const rows = await d.prisma.decision.findMany({ select: { id: true, seq: true }, orderBy: { seq: 'asc' } });
      assert.equal(rows.length, 300 * writers.length);
      const ids = rows.map((r) => r.id);
      assert.deepEqual([...ids].sort(), ids, 'ids in event-id order');
      assert.ok(ids.every((id) => id > 'ffffffff-ffff-ffff-ffff-ffffffffffff'), 'after every UUID');
    });

    test('D-006 numbering continues after a restart; since() pages from any seq', async () => {
      const d = await target.fresh();
      const first = new DecisionLog(d.prisma, () => undefined, { flushMs: 5 });
      await first.init();
      const made: number[] = [];
      for (let i = 0; i < 7; i++) made.push(first.append(decision(i, null)).seq);
      await first.close();
      await d.close();
      const reopened = await openDatabase(d.url);
      try {
        const second = new DecisionLog(reopened.prisma, () => undefined);
        await second.init();
        made.push(second.append(decision(7, null)).seq);
        assert.ok(made[7] > made[6], 'numbering continues above what was stored');
        const page = await second.since(made[2], 3);
        assert.deepEqual(page.map((r) => r.seq), made.slice(3, 6));
        assert.deepEqual((await second.since(0, 100)).map((r) => r.seq), made);
        await second.close();
      } finally {
        await reopened.close();
      }
    });

    test('issue 19: two instances on one database write every decision, with ids that never collide', async () => {
      const d = await target.fresh();
      const other = await openDatabase(d.url);
      const failures: number[] = [];
      const onError = (_e: unknown, batch: DecisionRecord[]) => failures.push(batch.length);
      const a = new DecisionLog(d.prisma, () => undefined, { instance: 'pf-a', flushMs: 1, onError });
      const b = new DecisionLog(other.prisma, () => undefined, { instance: 'pf-b', flushMs: 1, onError });
      try {
        await Promise.all([a.init(), b.init()]);
        const made: DecisionRecord[] = [];
        for (let i = 0; i < 300; i++) {
          made.push((i % 2 ? a : b).append(decision(i, null)));
          if (i % 50 === 49) await Promise.all([a.flush(), b.flush()]);
        }
        await Promise.all([a.close(), b.close()]);
        assert.deepEqual(failures, [], 'no batch lost');
        assert.equal(new Set(made.map((r) => r.seq)).size, 300, 'event ids are unique across instances');
        assert.equal(await d.prisma.decision.count(), 300);
        // each instance's own ids increase: a console resumes each of them exactly
        for (const inst of ['pf-a', 'pf-b']) {
          const own = made.filter((r) => r.instance === inst).map((r) => r.seq);
          assert.equal(own.length, 150);
          assert.ok(own.every((s, i) => i === 0 || s > own[i - 1]), `${inst} numbers in order`);
        }
        // resuming with a cursor per instance returns exactly what the client has not seen
        const seenA = made.filter((r) => r.instance === 'pf-a')[99].seq;
        const seenB = made.filter((r) => r.instance === 'pf-b')[9].seq;
        const rest = await a.since(Math.max(seenA, seenB), 1000, { 'pf-a': seenA, 'pf-b': seenB });
        assert.equal(rest.length, 50 + 140);
      } finally {
        await other.close();
      }
    });

    test('D-230 a new instance takes over the slot of one silent for a day when all are held; never a live one', async () => {
      const d = await target.fresh();
      const now = Date.now();
      await d.prisma.decisionSlot.createMany({
        data: Array.from({ length: SLOTS }, (_, slot) => ({ instance: `old-${slot}`, slot, seenAt: new Date(now - (slot === 7 ? 48 : 1) * 3_600_000) })),
      });
      const taker = new DecisionLog(d.prisma, () => undefined, { instance: 'new-host:5060' });
      await taker.init();
      const rec = taker.append(decision(0, null));
      assert.equal(rec.seq % SLOTS, 7, "the silent instance's slot");
      assert.equal(await d.prisma.decisionSlot.count({ where: { instance: 'old-7' } }), 0);
      await taker.close();

      const refused = new DecisionLog(d.prisma, () => undefined, { instance: 'another-host:5060' });
      await assert.rejects(refused.init(), /all 256 instance slots are held by instances seen within a day/);
    });

    test('a batch that fails is reported and later batches are still written', async () => {
      const d = await target.fresh();
      const failures: number[] = [];
      // the served user of the first batch names no user: its rows break the foreign key
      const log = new DecisionLog(d.prisma, (aor) => (aor === 'sip:gone@example.com' ? 'no-such-user' : undefined), { maxBatch: 10, onError: (_e, batch) => failures.push(batch.length) });
      await log.init();
      for (let i = 0; i < 10; i++) log.append(decision(i, 'sip:gone@example.com'));
      await log.flush();
      const later: number[] = [];
      for (let i = 10; i < 15; i++) later.push(log.append(decision(i, null)).seq);
      await log.close();
      assert.deepEqual(failures, [10]);
      assert.deepEqual((await d.prisma.decision.findMany({ orderBy: { seq: 'asc' } })).map((r) => Number(r.seq)), later);
    });
  });
}
