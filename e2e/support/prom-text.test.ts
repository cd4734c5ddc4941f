import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { parseExposition, valueOf } from './prom-text';

test('prom-text: reads back what prom-client writes, label values with quotes, backslashes and newlines included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 8 }), async (rows) => {
      const registry = new Registry();
      const c = new Counter({ name: 'x_total', help: 'h', labelNames: ['v'], registers: [registry] });
      const want = new Map<string, number>();
      for (const [v, n] of rows) {
        c.inc({ v }, n);
        want.set(v, (want.get(v) ?? 0) + n);
      }
      const samples = parseExposition(await registry.metrics());
      for (const [v, n] of want) assert.equal(valueOf(samples, 'x_total', { v }), n);
    }),
  );
});

test('prom-text: a line that is not exposition format is an error, not a silent zero', () => {
  assert.throws(() => parseExposition('x_total{v="a"} many\n'), /not a sample value/);
  assert.throws(() => parseExposition('x_total{v=a} 1\n'), /labels do not parse/);
});
