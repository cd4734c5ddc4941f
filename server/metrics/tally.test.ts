// The tallied counter (D-283): what a scrape shows is every increment so far, by label values,
// however the increments and the scrapes interleave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { tallyCounter } from './tally';

test('D-283: a tallied counter shows at every scrape the count of each label set added so far', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(fc.record({ add: fc.tuple(fc.constantFrom('in', 'out'), fc.constantFrom('MESSAGE', 'INVITE', 'a"b\\c')) }), fc.constant('scrape' as const)), { maxLength: 60 }), async (steps) => {
      const registry = new Registry();
      const t = tallyCounter({ name: 't_total', help: 'test', labelNames: ['direction', 'method'] as const, registers: [registry] });
      const expected = new Map<string, number>();
      const check = async () => {
        const got = new Map((await t.counter.get()).values.map((v) => [`${v.labels.direction} ${v.labels.method}`, v.value]));
        for (const [k, n] of expected) assert.equal(got.get(k), n, k);
        assert.equal(got.size, expected.size);
      };
      for (const s of steps) {
        if (s === 'scrape') await check();
        else {
          t.add(...s.add);
          const k = s.add.join(' ');
          expected.set(k, (expected.get(k) ?? 0) + 1);
        }
      }
      await check();
    }),
    { numRuns: 100 },
  );
});
