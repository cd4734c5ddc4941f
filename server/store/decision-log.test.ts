// The decision log writes a batch as INSERTs of a few fixed sizes (powers of two), so that the
// database client sees a handful of statement texts instead of one per batch size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { insertChunks } from './decision-log';

test('decision log: a batch is cut into powers of two of at most 512 rows that add up to it', () => {
  assert.deepEqual(insertChunks(0), []);
  assert.deepEqual(insertChunks(1), [1]);
  assert.deepEqual(insertChunks(7), [4, 2, 1]);
  assert.deepEqual(insertChunks(1100), [512, 512, 64, 8, 4]);
  fc.assert(
    fc.property(fc.nat(5000), (n) => {
      const sizes = insertChunks(n);
      assert.equal(sizes.reduce((a, b) => a + b, 0), n);
      for (const s of sizes) assert.ok(s <= 512 && Number.isInteger(Math.log2(s)));
    }),
  );
});
