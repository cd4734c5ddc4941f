import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRecord } from '../../server/live/events';
import { filterDecisions, mergeNewestFirst, NO_FILTERS, searchQuery } from './filter-decisions';

const d = (seq: number, over: Partial<DecisionRecord>): DecisionRecord => ({
  seq, at: '2026-01-01T00:00:00.000Z', servedUser: 'sip:alice@example.com', procedure: 'IMDN-RX', branch: 'IMDN-RX-3',
  outcome: 'FORWARD', summary: '', messageId: 'm1', disposition: 'delivery', callId: null, inputs: {}, ...over,
});

test('filters combine: user substring, message-id substring, exact disposition and outcome, branch prefix', () => {
  const list = [d(1, {}), d(2, { servedUser: 'sip:bob@example.com' }), d(3, { outcome: 'DROP', branch: 'IMDN-RX-2a-i' }), d(4, { disposition: 'display', messageId: 'other' })];
  assert.equal(filterDecisions(list, NO_FILTERS), list);
  assert.deepEqual(filterDecisions(list, { ...NO_FILTERS, user: 'BOB' }).map((x) => x.seq), [2]);
  assert.deepEqual(filterDecisions(list, { ...NO_FILTERS, outcome: 'DROP' }).map((x) => x.seq), [3]);
  assert.deepEqual(filterDecisions(list, { ...NO_FILTERS, branch: 'imdn-rx-2' }).map((x) => x.seq), [3]);
  assert.deepEqual(filterDecisions(list, { ...NO_FILTERS, messageId: 'oth', disposition: 'display' }).map((x) => x.seq), [4]);
  assert.deepEqual(filterDecisions(list, { ...NO_FILTERS, user: 'alice', disposition: 'delivery' }).map((x) => x.seq), [1, 3]);
});

test('console: the whole-log search results merge with the live matches newest first, each decision once', () => {
  const merged = mergeNewestFirst([d(9, {}), d(7, {})], [d(7, {}), d(3, {}), d(1, {})]);
  assert.deepEqual(merged.map((x) => x.seq), [9, 7, 3, 1]);
  assert.equal(searchQuery({ ...NO_FILTERS, messageId: ' m-old ', procedure: 'IMDN-RX' }, 1000), 'messageId=m-old&procedure=IMDN-RX&limit=1000');
});
