import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interleaved, type Series } from './interleaved';

test('bench: every series steps at one rate before any steps at the next, and a series stops at its own first failure', async () => {
  const calls: string[] = [];
  const series: Series<{ ok: boolean; rate: number }>[] = ['kamailio', 'srf-answer', 'pf'].map((label) => ({ label, target: `${label}:5060`, steps: [] }));
  const failsAt: Record<string, number> = { pf: 2000, 'srf-answer': 3000 };
  await interleaved(series, [1000, 2000, 3000, 4000], async (label, target, rate) => {
    calls.push(`${label}@${rate}`);
    assert.equal(target, `${label}:5060`);
    return { ok: !(failsAt[label] !== undefined && rate >= failsAt[label]), rate };
  }, async () => {}, () => {});
  assert.deepEqual(calls, [
    'kamailio@1000', 'srf-answer@1000', 'pf@1000',
    'kamailio@2000', 'srf-answer@2000', 'pf@2000',
    'kamailio@3000', 'srf-answer@3000',
    'kamailio@4000',
  ]);
  assert.deepEqual(series.map((s) => [s.label, s.steps.map((x) => x.rate), !!s.failed]), [
    ['kamailio', [1000, 2000, 3000, 4000], false],
    ['srf-answer', [1000, 2000, 3000], true],
    ['pf', [1000, 2000], true],
  ]);
});
