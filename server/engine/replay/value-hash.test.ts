import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { valueHash53 } from './value-hash';

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
