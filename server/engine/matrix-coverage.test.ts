// The MATRIX id list the suite is held to (scripts/test.mjs checks every id has a test, using the
// names the runners report) must be the current MATRIX.md whenever ../shared is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
// @ts-expect-error plain JS module without typings
import { MATRIX, SNAPSHOT, matrixIds } from '../../scripts/matrix-ids.mjs';

const ids: string[] = readFileSync(SNAPSHOT, 'utf8').split('\n').filter(Boolean);

test('MATRIX: the committed id list is the current MATRIX.md, every id once', () => {
  assert.ok(ids.length >= 300, `only ${ids.length} ids in ${SNAPSHOT}`);
  assert.equal(new Set(ids).size, ids.length);
  if (existsSync(MATRIX)) assert.deepEqual(ids, matrixIds(readFileSync(MATRIX, 'utf8')), 'run node scripts/matrix-ids.mjs');
});

test('MATRIX: row ids are read from sections A to N only, not from the fixtures or the Z index', () => {
  const sample = ['## A. Parsing', '| Id | Norm |', '| RSN-1 | N2 |', '## Fixtures', '| Fixture | x |', '## Z. Index', '| N1 | x |'].join('\n');
  assert.deepEqual(matrixIds(sample), ['RSN-1']);
});
