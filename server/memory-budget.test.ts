// D-327: the start's word on the heap limit against what the bounded tables may hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapBudget, HEAP_RESERVE_MIB, IMDN_CACHE_ENTRY_BYTES, MESSAGE_INDEX_ENTRY_BYTES } from './memory-budget';
import { DEFAULT_HEAP_MB } from '../scripts/heap-limit.mjs';
import { DEFAULT_MAX_CACHE_ENTRIES } from './engine/imdn/cache';

const MIB = 1024 * 1024;

test('D-327: the default heap limit leaves room for the default bounds', () => {
  const b = heapBudget(DEFAULT_HEAP_MB * MIB, { imdnCacheMax: DEFAULT_MAX_CACHE_ENTRIES, messageIndexMax: 100_000 });
  assert.equal(b.short, false, b.line);
  assert.match(b.line, new RegExp(`^heap limit ${DEFAULT_HEAP_MB} MiB`));
});

test('D-327: the tables are two IMDN caches and two message indexes at their measured entry sizes', () => {
  for (const [imdn, index] of [[1, 1], [1_000_000, 100_000], [5_000_000, 1_000_000], [123_457, 9_999]]) {
    const b = heapBudget(64 * 1024 * MIB, { imdnCacheMax: imdn, messageIndexMax: index });
    const bytes = 2 * imdn * IMDN_CACHE_ENTRY_BYTES + 2 * index * MESSAGE_INDEX_ENTRY_BYTES;
    assert.ok(b.tablesMib * MIB >= bytes && (b.tablesMib - 1) * MIB < bytes, `${imdn}, ${index}: ${b.tablesMib} MiB for ${bytes} bytes`);
    assert.equal(b.neededMib, b.tablesMib + HEAP_RESERVE_MIB);
  }
});

test('D-327: a limit below the tables and the reserve is a warning that names the setting to raise and by how much', () => {
  const bounds = { imdnCacheMax: 5_000_000, messageIndexMax: 100_000 };
  const needed = heapBudget(0, bounds).neededMib;
  const just = heapBudget(needed * MIB, bounds);
  assert.equal(just.short, false, just.line);
  const under = heapBudget((needed - 1) * MIB, bounds);
  assert.equal(under.short, true);
  assert.match(under.line, new RegExp(`PF_HEAP_MB at least ${needed}`));
  assert.match(under.line, /PF_IMDN_CACHE_MAX/);
});
