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
