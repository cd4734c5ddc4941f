// D-230 decision ids: unique across instances, increasing within one, whatever the clocks do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecisionIds, freeSlot, reclaimableSlot, SLOTS } from './decision-ids';

test('D-230 ids of any instances never collide and each instance\'s ids increase, whatever its clock does', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: SLOTS - 1 }), { minLength: 1, maxLength: 5 }),
      fc.nat({ max: 10 ** 12 }),
      fc.array(fc.tuple(fc.nat({ max: 4 }), fc.integer({ min: -5_000, max: 5_000 })), { maxLength: 300 }),
      (slots, above, steps) => {
        const clocks = slots.map(() => Date.UTC(2026, 10, 1));
        const gens = slots.map((s, i) => new DecisionIds(s, above, () => clocks[i]));
        const all = new Set<number>();
        const last = slots.map(() => above);
        for (const [who, drift] of steps) {
          const i = who % gens.length;
          clocks[i] += drift; // clocks may jump back
          const id = gens[i].next();
          assert.ok(Number.isSafeInteger(id));
          assert.ok(id > last[i], 'increases within an instance, and stays above what was stored');
          assert.ok(!all.has(id), 'unique across instances');
          assert.equal(id % SLOTS, slots[i]);
          all.add(id);
          last[i] = id;
        }
      },
    ),
  );
});

test('D-230 ids follow the clock across instances when neither is bursting', () => {
  let now = Date.UTC(2026, 10, 1);
  const a = new DecisionIds(0, 0, () => now);
  const b = new DecisionIds(1, 0, () => now);
  const first = b.next();
  now += 1;
  assert.ok(a.next() > first, 'a later decision of another instance sorts after');
});

test('D-230 a free slot is the lowest unused one; none when all are taken', () => {
  assert.equal(freeSlot([0, 1, 3]), 2);
  assert.equal(freeSlot([]), 0);
  assert.equal(freeSlot(Array.from({ length: SLOTS }, (_, i) => i)), undefined);
  assert.throws(() => new DecisionIds(SLOTS, 0, Date.now), /slot/);
});

test('D-230 when every slot is held, only one silent for over a day is taken, the longest silent first', () => {
  const now = Date.UTC(2026, 11, 4, 12);
  const h = (instance: string, slot: number, hoursAgo: number) => ({ instance, slot, seenAt: new Date(now - hoursAgo * 3_600_000) });
  assert.equal(reclaimableSlot([h('a', 0, 1), h('b', 1, 23)], now), undefined, 'renewed within a day: alive');
  assert.deepEqual(reclaimableSlot([h('a', 0, 1), h('b', 1, 30), h('c', 2, 50)], now), h('c', 2, 50));
  assert.equal(reclaimableSlot([], now), undefined);
});
