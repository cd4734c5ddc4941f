// The MessageIndex (SPEC §7 IMDN-RX input, AMB-9): what the PF knows of the messages its served
// users sent and received. It was a Map per user that only grew; it is now bounded in entries
// and in age (D-320).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MessageIndexEntry } from '../engine/model';
import { MessageIndex } from './message-index';

const entry = (n: number): MessageIndexEntry => ({ kind: 'STANDALONE', requested: [], deliveredEndpoints: n });

test('AMB-9, D-320: property: the index holds at most its bound, each user\'s entries apart, the newest kept', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.tuple(fc.constantFrom('alice', 'bob'), fc.integer({ min: 0, max: 30 })), { maxLength: 200 }), (max, sets) => {
      const now = 1_000;
      const index = new MessageIndex({ maxEntries: max, ttlMs: () => 60_000, now: () => now });
      const model = new Map<string, number>();
      sets.forEach(([user, id], n) => {
        index.of(user).set(`m${id}`, entry(n));
        model.delete(`${user}|m${id}`);
        model.set(`${user}|m${id}`, n);
        if (model.size > max) model.delete(model.keys().next().value!);
      });
      assert.ok(index.size <= max);
      for (const user of ['alice', 'bob']) {
        for (let id = 0; id <= 30; id++) {
          const want = model.get(`${user}|m${id}`);
          assert.deepEqual(index.of(user).get(`m${id}`), want === undefined ? undefined : entry(want));
        }
      }
    }),
  );
});

test('AMB-9, D-320: an entry older than the IMDN caches\' lifetime reads as absent and is dropped', () => {
  let now = 0;
  let ttl = 10_000;
  const index = new MessageIndex({ maxEntries: 100, ttlMs: () => ttl, now: () => now });
  index.of('alice').set('m1', entry(1));
  now = 10_000;
  assert.deepEqual(index.of('alice').get('m1'), entry(1), 'still live at its lifetime');
  index.of('alice').set('m1', entry(2)); // set again: its age starts again
  now = 19_000;
  assert.deepEqual(index.of('alice').get('m1'), entry(2));
  ttl = 5_000; // the provider shortened the lifetime
  assert.equal(index.of('alice').get('m1'), undefined);
  assert.equal(index.size, 0);
});

test('AMB-9, D-320: the PF\'s sent and received indexes are bounded by PF_MESSAGE_INDEX_MAX', async () => {
  const { PfState } = await import('./pf-state');
  const { withPolicy } = await import('../engine/policy');
  const state = new PfState(withPolicy({}), { messageIndexMax: 10 });
  for (let i = 0; i < 100; i++) {
    state.sentIndex('sip:alice@example.com').set(`s${i}`, entry(i));
    state.receivedIndex('sip:alice@example.com').set(`r${i}`, entry(i));
  }
  assert.equal(state.sentIndex('sip:alice@example.com').get('s0'), undefined, 'the oldest sent entry went');
  assert.equal(state.receivedIndex('sip:alice@example.com').get('r0'), undefined, 'the oldest received entry went');
  assert.deepEqual(state.sentIndex('sip:alice@example.com').get('s99'), entry(99));
  assert.deepEqual(state.receivedIndex('sip:alice@example.com').get('r90'), entry(90));
});
