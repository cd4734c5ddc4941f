// The batched decision log on SQLite and PostgreSQL: everything appended is written, numbering
// continues across a restart, a failed batch does not stop later ones; and its write throughput.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecisionRecord } from '../live/events';
import { openDatabase } from './database';
import { DecisionLog } from './decision-log';
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
      const t0 = performance.now();
      for (let i = 0; i < N; i++) log.append(decision(i, i % 2 ? 'sip:alice@example.com' : null));
      await log.close();
      const seconds = (performance.now() - t0) / 1000;
      const rate = Math.round(N / seconds);
      t.diagnostic(`${target.provider}: ${N} decisions written in ${seconds.toFixed(2)} s = ${rate} decisions/s`);

      assert.equal(await d.prisma.decision.count(), N);
      const agg = await d.prisma.decision.aggregate({ _min: { seq: true }, _max: { seq: true } });
      assert.deepEqual([agg._min.seq, agg._max.seq], [1, N]);
      assert.equal(await d.prisma.decision.count({ where: { userId: alice } }), N / 2);
      assert.equal(await d.prisma.decision.count({ where: { sessionId: 's-0' } }), Math.ceil(N / 21));
      // times are stored as Prisma stores them: filters and reads through Prisma see the same instants
      assert.equal(await d.prisma.decision.count({ where: { at: { lt: new Date(Date.UTC(2026, 10, 1) + 100) } } }), 100);
      const tail = await log.since(N - 2, 10);
      assert.equal(tail[0].at, decision(N - 2, null).at);
      assert.deepEqual(tail.map((r) => r.seq), [N - 1, N]);
      assert.equal(tail[1].servedUser, (N - 1) % 2 ? 'sip:alice@example.com' : null);
      assert.deepEqual(tail[0].inputs, decision(N - 2, null).inputs);
      assert.equal(tail[0].sessionId, decision(N - 2, null).sessionId);
    });

    test('D-006 numbering continues after a restart; since() pages from any seq', async () => {
      const d = await target.fresh();
      const first = new DecisionLog(d.prisma, () => undefined, { flushMs: 5 });
      await first.init();
      for (let i = 0; i < 7; i++) first.append(decision(i, null));
      await first.close();
      await d.close();
      const reopened = await openDatabase(d.url);
      try {
        const second = new DecisionLog(reopened.prisma, () => undefined);
        await second.init();
        assert.equal(second.append(decision(7, null)).seq, 8);
        const page = await second.since(3, 3);
        assert.deepEqual(page.map((r) => r.seq), [4, 5, 6]);
        assert.deepEqual((await second.since(0, 100)).map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
        await second.close();
      } finally {
        await reopened.close();
      }
    });

    test('a batch that fails is reported and later batches are still written', async () => {
      const d = await target.fresh();
      const failures: number[] = [];
      const log = new DecisionLog(d.prisma, () => undefined, { maxBatch: 10, onError: (_e, batch) => failures.push(batch.length) });
      await log.init();
      // seq 1..3 exist already: the first batch collides with the unique seq
      await d.prisma.decision.createMany({ data: [1, 2, 3].map((seq) => ({ seq, at: new Date(), procedure: 'X', branch: 'X', outcome: 'X', summary: '', inputs: '{}' })) });
      for (let i = 0; i < 10; i++) log.append(decision(i, null));
      await log.flush();
      for (let i = 10; i < 15; i++) log.append(decision(i, null));
      await log.close();
      assert.deepEqual(failures, [10]);
      assert.deepEqual((await d.prisma.decision.findMany({ where: { seq: { gt: 10 } }, orderBy: { seq: 'asc' } })).map((r) => r.seq), [11, 12, 13, 14, 15]);
    });
  });
}
