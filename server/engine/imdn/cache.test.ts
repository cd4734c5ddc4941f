import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ImdnCache, OverlayCache, withStatus, type ImdnCacheEntry } from './cache';
import type { Effect } from '../effects';

const put = (peer: string, messageId: string, status = 'delivered', servedUser = 'A'): Effect => ({
  kind: 'CACHE_PUT',
  cache: 'RX',
  key: { servedUser, peer, messageId },
  type: 'delivery',
  status,
});

test('RX-ttl: entries expire ttl after firstSeen; later puts do not extend the lifetime', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 60 });
  c.apply(put('B', 'm1'), 0);
  c.apply(put('B', 'm1', 'failed'), 30_000);
  assert.ok(c.get({ servedUser: 'A', peer: 'B', messageId: 'm1' }, 59_999));
  assert.equal(c.get({ servedUser: 'A', peer: 'B', messageId: 'm1' }, 60_000), undefined);
  assert.equal(c.isEmptyFor('A', 59_999), false);
  assert.equal(c.isEmptyFor('A', 60_000), true);
  // a put after expiry starts a fresh entry
  c.apply(put('B', 'm1', 'failed'), 61_000);
  assert.deepEqual(c.get({ servedUser: 'A', peer: 'B', messageId: 'm1' }, 61_000)?.types.delivery?.statuses, ['failed']);
});

test('RX-key: the cache ignores the other cache’s puts and other effects', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 60 });
  c.apply({ ...put('B', 'm1'), cache: 'TX' } as Effect, 0);
  c.apply({ kind: 'DROP', reason: 'x' }, 0);
  assert.equal(c.size, 0);
});

test('RX-3: memory bound — at most maxEntries, the least recently updated entry is evicted', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 600, maxEntries: 3 });
  c.apply(put('B', 'm1'), 1);
  c.apply(put('B', 'm2'), 2);
  c.apply(put('B', 'm3'), 3);
  c.apply(put('B', 'm1', 'failed'), 4); // m1 updated: m2 is now the oldest
  c.apply(put('B', 'm4'), 5);
  assert.equal(c.size, 3);
  assert.equal(c.get({ servedUser: 'A', peer: 'B', messageId: 'm2' }, 6), undefined);
  assert.ok(c.get({ servedUser: 'A', peer: 'B', messageId: 'm1' }, 6));
});

test('RX-agg: serialize/restore round-trips; the overlay sees local puts without touching the base', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 600 });
  c.apply(put('B', 'm1'), 10);
  c.apply(put('C', 'm1', 'failed', 'Z'), 11);
  const copy = ImdnCache.restore(JSON.parse(JSON.stringify(c.serialize())));
  assert.deepEqual(copy.serialize(), c.serialize());
  assert.equal(copy.isEmptyFor('Z', 12), false);
  const o = new OverlayCache(copy, 'RX');
  assert.equal(o.isEmptyFor('Q', 12), true);
  o.put(put('B', 'm9', 'delivered', 'Q'), 12);
  assert.equal(o.isEmptyFor('Q', 12), false);
  assert.ok(o.get({ servedUser: 'Q', peer: 'B', messageId: 'm9' }, 12));
  assert.equal(copy.get({ servedUser: 'Q', peer: 'B', messageId: 'm9' }, 12), undefined);
  assert.equal(c.purgeExpired(10 + 600_000), 1);
});

test('RX-status-TS: a status outside §3.2 survives packing, counts as negative and is matched exactly', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 60 });
  const key = { servedUser: 'A', peer: 'B', messageId: 'm|with|bars' };
  c.apply({ kind: 'CACHE_PUT', cache: 'RX', key, type: 'delivery', status: 'x-vendor' }, 0);
  c.apply({ kind: 'CACHE_PUT', cache: 'RX', key, type: 'delivery', status: 'delivered' }, 1);
  const rec = c.get(key, 2)?.types.delivery;
  assert.deepEqual([...(rec?.statuses ?? [])].sort(), ['delivered', 'x-vendor']);
  assert.equal(rec?.positive, true);
  assert.equal(rec?.negative, true);
  const back = ImdnCache.restore(c.serialize());
  assert.deepEqual(back.serialize().entries[0][1], key, 'a message-id with | keeps its key');
  assert.deepEqual(back.get(key, 2), c.get(key, 2));
});

test('RX-3: a user whose newest entry expired is empty again, without scanning older entries', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 60 });
  for (let i = 0; i < 3; i++) c.apply({ kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: 'A', peer: 'B', messageId: `m${i}` }, type: 'delivery', status: 'delivered' }, i * 1000);
  assert.equal(c.isEmptyFor('A', 61_000), false, 'm1 and m2 are still live');
  assert.equal(c.isEmptyFor('A', 62_000), true);
  assert.equal(c.isEmptyFor('nobody', 0), true);
});

// The reference the packed cache must agree with: each key's entry as withStatus builds it, in a
// Map whose order is the LRU order, evicting from its front; expired entries read as absent.
test('RX-3, RX-ttl, RX-status-TS (property): the packed cache answers as a plain map of entries would, through eviction, slot reuse, growth and rare statuses', () => {
  const step = fc.record({
    user: fc.constantFrom('A', 'B', 'C'),
    id: fc.integer({ min: 0, max: 40 }),
    type: fc.constantFrom('delivery', 'display', 'processing', 'interworking') as fc.Arbitrary<'delivery'>,
    status: fc.constantFrom('delivered', 'displayed', 'processed', 'stored', 'failed', 'error', 'forbidden', 'legacy-sms', 'x-vendor', 'x-other'),
    dt: fc.integer({ min: 0, max: 30_000 }),
  });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1500 }), fc.array(step, { maxLength: 300 }), (maxEntries, steps) => {
      const ttlSec = 60;
      const c = new ImdnCache({ name: 'RX', ttlSec, maxEntries });
      const ref = new Map<string, ImdnCacheEntry>();
      let now = 1_780_000_000_000;
      for (const s of steps) {
        now += s.dt;
        const key = { servedUser: s.user, peer: 'P', messageId: `m${s.id}` };
        const k = `${s.user}|P|m${s.id}`;
        c.apply({ kind: 'CACHE_PUT', cache: 'RX', key, type: s.type, status: s.status }, now);
        const old = ref.get(k);
        const live = old && now - old.firstSeen < ttlSec * 1000 ? old : undefined;
        ref.delete(k);
        ref.set(k, withStatus(live, s.type, s.status, now));
        while (ref.size > maxEntries) ref.delete(ref.keys().next().value as string);
      }
      assert.equal(c.size, ref.size);
      for (const [k, e] of ref) {
        const [servedUser, peer, messageId] = k.split('|');
        const got = c.get({ servedUser, peer, messageId }, now);
        if (now - e.firstSeen >= ttlSec * 1000) assert.equal(got, undefined, k);
        else {
          assert.equal(got?.firstSeen, e.firstSeen, k);
          for (const t of ['delivery', 'display', 'processing', 'interworking'] as const) assert.deepEqual([...(got?.types[t]?.statuses ?? [])].sort(), [...(e.types[t]?.statuses ?? [])].sort(), `${k} ${t}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});

test('RX-3: more entries than the first slot arrays hold, each read back with its own time and statuses', () => {
  const c = new ImdnCache({ name: 'RX', ttlSec: 600, maxEntries: 5000 });
  for (let i = 0; i < 5000; i++) c.apply(put('B', `m${i}`, i % 7 === 0 ? 'x-vendor' : 'delivered'), 1000 + i);
  for (let i = 0; i < 5000; i += 499) {
    const e = c.get({ servedUser: 'A', peer: 'B', messageId: `m${i}` }, 6000);
    assert.deepEqual([e?.firstSeen, e?.types.delivery?.statuses], [1000 + i, [i % 7 === 0 ? 'x-vendor' : 'delivered']]);
  }
});
