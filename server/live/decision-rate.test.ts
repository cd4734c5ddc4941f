import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecisionRate } from './decision-rate';

test('rates are per outcome over the window; older buckets fall out, totals stay', () => {
  let t = 1_000_000;
  const r = new DecisionRate(10, () => t);
  for (let i = 0; i < 20; i++) r.record({ outcome: 'FORWARD' });
  r.record({ outcome: 'DROP' });
  assert.deepEqual(r.read().perSecond, { FORWARD: 2, DROP: 0.1 });
  t += 11_000;
  const later = r.read();
  assert.deepEqual(later.perSecond, {});
  assert.deepEqual(later.totals, { FORWARD: 20, DROP: 1 });
  assert.equal(later.series.length, 60);
  assert.equal(later.series.reduce((a, b) => a + b, 0), 21);
});
