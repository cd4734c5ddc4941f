import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { header, headerValues } from './message';

// the first implementation, kept here as the reference the faster one must agree with
function reference(headers: Record<string, string[]>, name: string): string[] {
  const compacts: Record<string, string> = { 'call-id': 'i', from: 'f', to: 't', 'content-type': 'c', 'content-length': 'l', contact: 'm', via: 'v', subject: 's', supported: 'k', 'accept-contact': 'a', event: 'o', 'refer-to': 'r', 'referred-by': 'b', 'content-encoding': 'e', 'allow-events': 'u', 'session-expires': 'x', 'reject-contact': 'j', 'request-disposition': 'd', identity: 'y' };
  const full = name.toLowerCase();
  const compact = compacts[full];
  const out: string[] = [];
  for (const [key, values] of Object.entries(headers)) {
    const k = key.toLowerCase();
    if (k === full || (compact !== undefined && k === compact)) out.push(...values);
  }
  return out;
}

test('DSP, IMDN-RX: a header is found by its full or compact name in any letter case, its lines in the order of the keys', () => {
  const names = ['Call-ID', 'From', 'To', 'Content-Type', 'Accept-Contact', 'P-Asserted-Service', 'Contribution-ID', 'Reason'];
  const spelling = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
  const key = fc.oneof(
    fc.constantFrom(...names).chain(spelling),
    fc.constantFrom('i', 'f', 't', 'c', 'a', 'k', 'I', 'F', 'T', 'C', 'A', '\u212a'),
    fc.string({ maxLength: 14 }),
  );
  fc.assert(
    fc.property(fc.dictionary(key, fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })), fc.constantFrom(...names, 'supported'), (headers, name) => {
      assert.deepEqual(headerValues({ headers }, name), reference(headers, name));
      assert.equal(header({ headers }, name), reference(headers, name)[0]);
    }),
    { numRuns: 3000 },
  );
});
