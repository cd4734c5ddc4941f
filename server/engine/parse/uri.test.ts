import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractUri, normaliseUri, sameResource, uriIdentity } from './uri';

// SPEC §3.5 has no MATRIX rows of its own; RX-key-norm-* exercise it end to end. These pin the rules.
test('RX-key-norm-1: tel: and sip:…;user=phone both normalise to E.164 (§3.5)', () => {
  assert.equal(normaliseUri('tel:+1-555-123-0002;npdi'), '+15551230002');
  assert.equal(normaliseUri('<tel:+15551230002>'), '+15551230002');
  assert.equal(normaliseUri('sip:+15551230002@ims.beta.example;user=phone'), '+15551230002');
  assert.equal(normaliseUri('"Bob" <sip:+1.555.(123)-0002@ims.beta.example;user=phone>'), '+15551230002');
});

test('RX-key-norm-2: other sip: URIs lose parameters and headers, host lower-cased', () => {
  assert.equal(normaliseUri('<sip:Bob@IMS.Beta.Example;gr=urn:uuid:f81d>'), 'sip:Bob@ims.beta.example');
  assert.equal(normaliseUri('sips:bob@H.example:5061;transport=tls?subject=x'), 'sip:bob@h.example:5061');
  assert.equal(normaliseUri('"A <weird> name" <sip:bob@h.example>'), 'sip:bob@h.example');
});

test('RX-key-norm-3: a sip: number without user=phone stays a SIP URI', () => {
  assert.equal(normaliseUri('<sip:+15551230002@ims.beta.example>'), 'sip:+15551230002@ims.beta.example');
  assert.notEqual(normaliseUri('<sip:+15551230002@ims.beta.example>'), normaliseUri('tel:+15551230002'));
});

test('RX-key-norm-4: the user part keeps its case', () => {
  assert.notEqual(normaliseUri('sip:Bob@ims.beta.example'), normaliseUri('sip:bob@ims.beta.example'));
});

test('RX-key-norm-1: local numbers keep their phone-context and never equal E.164', () => {
  assert.equal(normaliseUri('tel:5551230002;phone-context=+1555'), '5551230002;phone-context=+1555');
  assert.equal(normaliseUri('sip:123;phone-context=IMS.Example@ims.example;user=phone'), '123;phone-context=ims.example');
  assert.equal(uriIdentity('tel:+1555').kind, 'E164');
  assert.equal(normaliseUri('mailto:Bob@Example.COM'), 'mailto:bob@example.com');
  assert.equal(extractUri('  <sip:a@b>;tag=1 '), 'sip:a@b');
});

// RFC 3261 §19.1.4: an escaped character outside the reserved set is the character itself
// (DECISIONS D-120: SPEC §3.5 says "user part unchanged", which would keep the escape).
test('RX-key-norm-2: %-escapes of unreserved characters are decoded (sip:b%6Fb@example.com is sip:bob@example.com)', () => {
  assert.equal(normaliseUri('<sip:b%6Fb@example.com>'), normaliseUri('sip:bob@example.com'));
  assert.equal(normaliseUri('sip:%61lice@Example.COM;transport=tcp'), 'sip:alice@example.com');
  assert.equal(normaliseUri('sip:+1555%31230002@ims.beta.example;user=phone'), '+15551230002');
  // reserved characters stay escaped (hex case normalised): a;b and a%3Bb are different users
  assert.equal(normaliseUri('sip:a%3bb@h.example'), 'sip:a%3Bb@h.example');
  assert.notEqual(normaliseUri('sip:a%3Bb@h.example'), normaliseUri('sip:a;b@h.example'));
  assert.equal(normaliseUri('sip:a%25b@h.example'), 'sip:a%25b@h.example');
});

test('RX-key-norm-2: property — escaping any unreserved characters of a SIP URI never changes its key', () => {
  const unreserved = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*\'()'.split(''));
  const chars = fc.array(fc.tuple(unreserved, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 20 });
  fc.assert(
    fc.property(chars, chars, (user, host) => {
      const plain = (xs: Array<[string, boolean, boolean]>) => xs.map(([c]) => c).join('');
      const esc = (xs: Array<[string, boolean, boolean]>) =>
        xs.map(([c, e, lower]) => (e ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')[lower ? 'toLowerCase' : 'toUpperCase']()}` : c)).join('');
      assert.equal(normaliseUri(`sip:${esc(user)}@${esc(host)}.example`), normaliseUri(`sip:${plain(user)}@${plain(host)}.example`));
    }),
    { numRuns: 500 },
  );
});

test('RX-key-norm-2: sameResource (conference and group session URIs) decodes unreserved escapes too', () => {
  assert.ok(sameResource('<sip:gr%6Fup1@Focus.example;transport=udp>', 'sip:group1@focus.example'));
  assert.ok(!sameResource('sip:a%3Bb@focus.example', 'sip:a;b@focus.example'));
});
