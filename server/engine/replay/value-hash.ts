// A cyrb53-style hash over a value's structure, without writing it out as text first (D-288): the v3 result
// fingerprint. JSON.stringify then hash53 cost about 5 µs per engine call, most of it escaping the
// bodies in the effects into a string that was only hashed and thrown away; walking the value and
// feeding its characters straight into the hash's state does the same work once, with nothing
// allocated.
//
// What it tells apart follows JSON's view of a value, so a result and its JSON round trip (what
// replay rebuilds from) hash the same: an object's keys in their order, with undefined and
// function values left out; `toJSON` (Buffer, Date) taken as JSON takes it; undefined in an array
// as null; a typed array as the object of its indices. Every string is prefixed with its length and every container with a tag and its size,
// so no two different values feed the same sequence.

// The state lives in an Int32Array, not in two module variables: a module variable holding a
// 32-bit value outside V8's small integers is a heap number, allocated on every store.
const h = new Int32Array(2);

function mix(c: number): void {
  h[0] = Math.imul(h[0] ^ c, 2654435761);
  h[1] = Math.imul(h[1] ^ c, 1597334677);
}

// Two UTF-16 units per step, as one 32-bit word: half the multiplications of cyrb53's unit per step.
// Each step (xor, then a multiplication by an odd constant) is a bijection of the state, so two
// strings of the same length that differ in one word always end in different states.
function text(s: string): void {
  const n = s.length;
  let h1 = Math.imul(h[0] ^ n, 2654435761);
  let h2 = Math.imul(h[1] ^ n, 1597334677);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  if (i < n) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h[0] = h1;
  h[1] = h2;
}

// A non-negative safe integer's decimal text (what String gives it), fed as text() feeds it, without
// making the string: times and counters are in most results, and each String() was an allocation.
const DIGITS = new Int32Array(16);
function digits(v: number): void {
  let n = 0;
  do {
    DIGITS[n++] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  let h1 = Math.imul(h[0] ^ n, 2654435761);
  let h2 = Math.imul(h[1] ^ n, 1597334677);
  // DIGITS holds the text backwards: its i-th character is DIGITS[n - 1 - i]
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = DIGITS[n - 1 - i] | (DIGITS[n - 2 - i] << 16);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  if (i < n) {
    const c = DIGITS[0];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h[0] = h1;
  h[1] = h2;
}

// tags: below any length a string can start with would not do (lengths are small numbers), so
// they are values no UTF-16 unit or length mixes in at that position: negative numbers
const STRING = -1;
const NUMBER = -2;
const TRUE = -3;
const FALSE = -4;
const NULL = -5;
const ARRAY = -6;
const OBJECT = -7;

function value(v: unknown): void {
  switch (typeof v) {
    case 'string':
      mix(STRING);
      text(v);
      return;
    case 'number':
      // JSON writes NaN and ±Infinity as null; the number's text tells the rest apart exactly
      if (Number.isFinite(v)) {
        mix(NUMBER);
        if (Number.isSafeInteger(v) && v >= 0) digits(v);
        else text(String(v));
      } else mix(NULL);
      return;
    case 'boolean':
      mix(v ? TRUE : FALSE);
      return;
    case 'object':
      break;
    default:
      // undefined, functions, symbols: what JSON writes as null where a value must stand
      mix(NULL);
      return;
  }
  if (v === null) {
    mix(NULL);
    return;
  }
  if (Array.isArray(v)) {
    mix(ARRAY);
    mix(v.length);
    for (let i = 0; i < v.length; i++) value(v[i]);
    return;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    value((v as { toJSON: () => unknown }).toJSON());
    return;
  }
  mix(OBJECT);
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    const x = o[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    text(k);
    value(x);
  }
  // the end of an object, so {a:{}, b:1} and {a:{b:1}} differ
  mix(OBJECT);
}

/**
 * The same hash fed piece by piece, for a caller that knows its value's shape (tape.ts's result
 * fingerprint) and would otherwise build an array only to have it walked: `begin()`, then
 * `arrayHead(n)` and n `element(x)` for each array, then `end()`. `valueHash53([a, b])` equals
 * `begin(); arrayHead(2); element(a); element(b); end()`.
 */
export const valueHashStream = {
  begin(): void {
    h[0] = 0xdeadbeef;
    h[1] = 0x41c6ce57;
  },
  arrayHead(length: number): void {
    mix(ARRAY);
    mix(length);
  },
  element: (v: unknown): void => value(v),
  end: (): string => finish(),
};

/** cyrb53 of `v`'s structure, as 53 bits in base 36 (at most 11 characters). */
export function valueHash53(v: unknown): string {
  h[0] = 0xdeadbeef;
  h[1] = 0x41c6ce57;
  value(v);
  return finish();
}

function finish(): string {
  const h1 = h[0];
  const h2 = h[1];
  let a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  a = a >>> 0;
  return base36(4294967296 * (2097151 & b) + a);
}

// 36^5: below it, and for the quotient by it, a number is a small integer, which V8 writes in a
// radix quickly; a double above 2^31 takes its general path, about 1 µs a call (measured in
// bench): as much as hashing a whole small result
const P5 = 60466176;

/** A non-negative safe integer in base 36, as toString(36) writes it. */
export function base36(x: number): string {
  // exact: x / P5 is correctly rounded, and below 2^53 its quotient is under 2^28, where doubles are
  // 2^-25 apart, finer than the 1/P5 by which a remainder of P5 - 1 falls short of the next integer
  const hi = Math.floor(x / P5);
  const lo = x - hi * P5;
  return hi > 0 ? hi.toString(36) + lo.toString(36).padStart(5, '0') : lo.toString(36);
}
