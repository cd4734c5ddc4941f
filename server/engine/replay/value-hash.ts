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
        text(String(v));
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

/** cyrb53 of `v`'s structure, as 53 bits in base 36 (at most 11 characters). */
export function valueHash53(v: unknown): string {
  h[0] = 0xdeadbeef;
  h[1] = 0x41c6ce57;
  value(v);
  const h1 = h[0];
  const h2 = h[1];
  let a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  a = a >>> 0;
  return (4294967296 * (2097151 & b) + a).toString(36);
}
