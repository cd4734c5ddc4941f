// PF_HEAP_MB (D-327): what the start script gives node, and a readable refusal of a bad value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEAP_MB, heapLimitArgs } from './heap-limit.mjs';

test('D-327: PF_HEAP_MB unset or empty gives the default heap limit', () => {
  assert.deepEqual(heapLimitArgs({}), [`--max-old-space-size=${DEFAULT_HEAP_MB}`]);
  assert.deepEqual(heapLimitArgs({ PF_HEAP_MB: ' ' }), [`--max-old-space-size=${DEFAULT_HEAP_MB}`]);
});

test('D-327: PF_HEAP_MB sets the limit in MiB', () => {
  assert.deepEqual(heapLimitArgs({ PF_HEAP_MB: '4096' }), ['--max-old-space-size=4096']);
  assert.deepEqual(heapLimitArgs({ PF_HEAP_MB: '256' }), ['--max-old-space-size=256']);
});

test('D-327: a PF_HEAP_MB that is no whole number of at least 256 MiB is refused with a sentence naming it', () => {
  for (const bad of ['lots', '1.5', '-1', '0', '255', '1e', '2GB']) {
    assert.throws(() => heapLimitArgs({ PF_HEAP_MB: bad }), (e: Error) => e.message.includes('PF_HEAP_MB') && e.message.includes(`"${bad}"`), bad);
  }
});
