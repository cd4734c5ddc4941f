import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHeader, cpimHeader, formatCpim, imdnHeader, imdnHeaderValues, parseCpim } from './cpim';
import { formatMultipart, parseMultipart } from './multipart';

const ORIGINAL = [
  'From: <sip:+15551230001@ims.alpha.example>',
  'To: <sip:+15551230002@ims.beta.example>',
  'NS: imdn <urn:ietf:params:imdn>',
  'imdn.Message-ID: Msg9t4Ex2',
  'DateTime: 2015-11-10T10:19:30.000Z',
  'imdn.Disposition-Notification: positive-delivery, negative-delivery',
  'imdn.IMDN-Record-Route: <sip:r1@a.example>',
  'imdn.IMDN-Record-Route: <sip:r2@b.example>',
  '',
  'Content-Type: text/plain;charset=UTF-8',
  'Content-Length: 11',
  '',
  'Lunch at 1?',
].join('\r\n');

test('IMDNP-1: CPIM envelope — NS prefixes, imdn.* headers, repeated headers in order, inner MIME headers, body', () => {
  const r = parseCpim(ORIGINAL);
  assert.ok(r.ok);
  const m = r.value;
  assert.equal(cpimHeader(m, 'from'), '<sip:+15551230001@ims.alpha.example>');
  assert.equal(imdnHeader(m, 'message-id'), 'Msg9t4Ex2');
  assert.deepEqual(imdnHeaderValues(m, 'IMDN-Record-Route'), ['<sip:r1@a.example>', '<sip:r2@b.example>']);
  assert.equal(m.namespaces.imdn, 'urn:ietf:params:imdn');
  assert.equal(m.contentType, 'text/plain;charset=UTF-8');
  assert.equal(contentHeader(m, 'content-length'), '11');
  assert.equal(m.body, 'Lunch at 1?');
});

test('IMDNP-1: a prefix bound by NS to the IMDN URN is honoured whatever its name', () => {
  const r = parseCpim('NS: x <urn:ietf:params:imdn>\nx.Message-ID: abc\nimdnfoo.Message-ID: no\n\nContent-Type: text/plain\n\nhi');
  assert.ok(r.ok);
  assert.equal(imdnHeader(r.value, 'Message-ID'), 'abc');
  assert.deepEqual(imdnHeaderValues(r.value, 'Message-ID'), ['abc']);
});

test('IMDNP-1: CPIM errors are typed', () => {
  const cases: [string, string][] = [
    ['From: <sip:a@b>', 'NO_ENVELOPE'],
    ['no colon here\n\nContent-Type: text/plain\n\nx', 'BAD_HEADER'],
    ['From: <sip:a@b>\n\n', 'NO_CONTENT_HEADERS'],
  ];
  for (const [t, code] of cases) {
    const r = parseCpim(t);
    assert.equal(r.ok ? 'ok' : r.error.code, code, t);
  }
});

test('IMDNP-4: multipart round trip keeps parts and order', () => {
  const cpimText = formatCpim([{ name: 'From', value: '<sip:a@b>' }], [{ name: 'Content-Type', value: 'text/plain' }], 'body');
  const body = formatMultipart('zz', [
    { headers: [{ name: 'Content-Type', value: 'message/cpim' }], body: cpimText },
    { headers: [{ name: 'Content-Type', value: 'message/cpim' }], body: 'second' },
  ]);
  const r = parseMultipart('multipart/mixed;boundary=zz', body);
  assert.ok(r.ok);
  assert.deepEqual(r.value.map((p) => p.body), [cpimText, 'second']);
  assert.equal(r.value[0].contentType, 'message/cpim');
  const bad = parseMultipart('multipart/mixed', body);
  assert.equal(!bad.ok && bad.error.code, 'NO_BOUNDARY');
  const none = parseMultipart('multipart/mixed;boundary=qq', body);
  assert.equal(!none.ok && none.error.code, 'NO_PARTS');
});
