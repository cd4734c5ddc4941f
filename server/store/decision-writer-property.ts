// Test support for the decision writer threads (SQLite, D-250; PostgreSQL, D-337): the rows a
// writer writes read back through Prisma exactly as the rows of the decision log's own Prisma
// INSERT do, for any decision, with ids increasing in append order.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DecisionRecord } from '../live/events';
import { DecisionLog } from './decision-log';
import type { DecisionWriter } from './writer-thread';
import type { DatabaseTarget } from './test-databases';

const ALICE = 'sip:alice@example.com';

/** any text; `noNul`: without U+0000, which PostgreSQL's text cannot hold */
const text = (noNul: boolean) => fc.string({ unit: 'binary', maxLength: 40 }).map((s) => (noNul ? s.replaceAll('\u0000', '') : s));

export function decisionArbitrary(noNul = false) {
  const t = text(noNul);
  return fc.record({
    at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    servedUser: fc.option(fc.constant(ALICE), { nil: null }),
    procedure: t,
    branch: t,
    outcome: t,
    summary: t,
    messageId: fc.option(t, { nil: null }),
    disposition: fc.option(t, { nil: null }),
    callId: fc.option(t, { nil: null }),
    sessionId: fc.option(t, { nil: null }),
    inputs: fc.dictionary(fc.string({ maxLength: 8 }).map((s) => (noNul ? s.replaceAll('\u0000', '') : s)), fc.jsonValue({ maxDepth: 2 })) as fc.Arbitrary<Record<string, unknown>>,
  });
}

// ids come from each log's own clock and slot (D-230): compared apart from the rows
const comparable = (r: DecisionRecord) => ({ ...r, seq: 0 });
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

/** Two fresh databases of `target`, one written by Prisma and one by `writerFor(url)`: the same rows read back. */
export async function assertWriterMatchesPrisma(target: DatabaseTarget, writerFor: (url: string) => DecisionWriter, numRuns: number): Promise<void> {
  const viaPrisma = await target.fresh();
  const viaThread = await target.fresh();
  const users = [await viaPrisma.user(ALICE), await viaThread.user(ALICE)];
  const a = new DecisionLog(viaPrisma.prisma, (aor) => (aor === ALICE ? users[0] : undefined), { flushMs: 1 });
  const writer = writerFor(viaThread.url);
  const b = new DecisionLog(viaThread.prisma, (aor) => (aor === ALICE ? users[1] : undefined), { flushMs: 1, writer });
  await a.init();
  await b.init();
  await fc.assert(
    fc.asyncProperty(fc.array(decisionArbitrary(target.provider === 'postgresql'), { minLength: 1, maxLength: 20 }), async (ds) => {
      const last = async (log: DecisionLog) => (await log.since(0, 1e9)).at(-1)?.seq ?? 0;
      const [fromA, fromB] = [await last(a), await last(b)];
      // append takes the object over (it becomes the numbered record): each log gets its own
      for (const d of ds) {
        a.append({ ...d });
        b.append({ ...d });
      }
      const [ra, rb] = [await a.since(fromA, 1e9), await b.since(fromB, 1e9)];
      assert.equal(rb.length, ds.length);
      assert.ok(increasing(rb.map((r) => r.seq)), 'ids increase in append order');
      assert.deepEqual(rb.map(comparable), ra.map(comparable));
    }),
    { numRuns },
  );
  await a.close();
  await b.close();
  await writer.close();
}
