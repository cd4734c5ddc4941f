import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImdnCache, OverlayCache } from './cache';
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
