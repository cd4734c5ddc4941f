import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractUri, normaliseUri, uriIdentity } from './uri';

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
