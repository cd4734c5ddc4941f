import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { base36, valueHash53 } from './value-hash';

const json = (v: unknown) => JSON.stringify(v);

test('REPLAY-EQ, D-288: two values hash the same exactly when their JSON texts are the same (random values and their JSON round trip)', () => {
  const value = fc.jsonValue({ maxDepth: 3 });
  fc.assert(
    fc.property(value, value, (a, b) => {
      assert.equal(valueHash53(a), valueHash53(JSON.parse(json(a))));
      assert.equal(valueHash53(a) === valueHash53(b), json(a) === json(b), `${json(a)} against ${json(b)}`);
    }),
    { numRuns: 2000 },
  );
});

test('REPLAY-EQ, D-288: a one-character change anywhere in a value changes its hash', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.nat(), (v, pick) => {
      // change one character of one string or key, found through the JSON text
      const text = json(v);
      const strings = [...text.matchAll(/"((?:[^"\\]|\\.)+)"/g)];
      fc.pre(strings.length > 0);
      const m = strings[pick % strings.length];
      const at = m.index! + 1;
      const changed = text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1);
      let other: unknown;
      try {
        other = JSON.parse(changed);
      } catch {
        return; // the change broke an escape: not a value
      }
      fc.pre(json(other) !== text);
      assert.notEqual(valueHash53(other), valueHash53(v));
    }),
    { numRuns: 2000 },
  );
});

test('REPLAY-EQ, D-288: structure is told apart where the characters are the same, and JSON\'s equivalences hold', () => {
  const differ: Array<[unknown, unknown]> = [
    [{ a: {}, b: 1 }, { a: { b: 1 } }],
    [['ab'], ['a', 'b']],
    ['1', 1],
    [true, 'true'],
    [null, 'null'],
    [[[]], [[], []]],
    [{ ab: 'c' }, { a: 'bc' }],
    [[1, [2]], [[1], 2]],
    [Buffer.from('ab'), Buffer.from('ba')],
  ];
  for (const [a, b] of differ) assert.notEqual(valueHash53(a), valueHash53(b), `${json(a)} and ${json(b)}`);
  const same: Array<[unknown, unknown]> = [
    [{ x: undefined, y: 1 }, { y: 1 }],
    [[undefined], [null]],
    [{ f: () => 1 }, {}],
    [Buffer.from('ab'), JSON.parse(json(Buffer.from('ab')))],
    [new Date(0), new Date(0).toISOString()],
    [NaN, null],
  ];
  for (const [a, b] of same) assert.equal(valueHash53(a), valueHash53(b), `${json(a)} and ${json(b)}`);
});

// Hashes taken with the walk as D-288 first wrote it (numbers through String(), the result through
// toString(36)): recordings carry them, so a faster walk must give every one of them unchanged.
test('REPLAY-EQ, D-294: the hash of recorded values does not move (numbers fed as their digits, base 36 written by hand)', () => {
  const taken: Array<[unknown, string]> = [
    [0, 'dscinu079'],
    [7, '15rxo2vclcn'],
    [10, '1as0jm6tzq2'],
    [100, '1wl9ntj6ekr'],
    [12345, '158tk4r1n8n'],
    [1764840000000, '1oo4fvd9c04'],
    [2 ** 31, 'r03jlg9o5f'],
    [2 ** 53 - 1, '197b4yjo9c9'],
    [-250, '2129l4t4sd5'],
    [0.5, '2g2na5lhb6h'],
    [1e21, 'wairgtd3jq'],
    [1e-7, 'xnjqtewcxo'],
    [[1, 'a', null], '27h1l2mnh6d'],
    [{ at: 1764840000123, code: 200, n: 0 }, '12urjikswcd'],
    [{ kind: 'SEND_RESP', txn: 'x', code: 486, reason: 'Busy Here' }, 'p7z384ai30'],
  ];
  for (const [v, h] of taken) assert.equal(valueHash53(v), h, json(v));
});

test('REPLAY-EQ, D-294: base36 writes every safe integer as toString(36) does, around each multiple of 36^5 too', () => {
  const P5 = 36 ** 5;
  const near = fc.tuple(fc.integer({ min: 0, max: Math.floor((2 ** 53 - 1) / P5) }), fc.integer({ min: -2, max: 2 })).map(([k, d]) => Math.min(2 ** 53 - 1, Math.max(0, k * P5 + d)));
  fc.assert(
    fc.property(fc.oneof(fc.maxSafeNat(), near, fc.nat(100)), (x) => assert.equal(base36(x), x.toString(36))),
    { numRuns: 5000 },
  );
});
