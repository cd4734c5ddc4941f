import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptContactOf, assertedCpmServices, parseAcceptContact } from './accept-contact';

const MSG_ENC = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg';
const LARGE_ENC = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.largemsg';

function ok(lines: string[]) {
  const r = parseAcceptContact(lines);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test('AC-1: encoded msg ICSI gives {msg} and no additional strings', () => {
  assert.deepEqual(ok([`*;+g.3gpp.icsi-ref="${MSG_ENC}"`]), { icsis: ['msg'], additional: [], malformed: [] });
});

test('AC-2: the un-encoded ICSI decodes to the same value (case-insensitive)', () => {
  assert.deepEqual(ok(['*;+g.3gpp.icsi-ref="urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg"']).icsis, ['msg']);
  assert.deepEqual(ok(['*;+G.3GPP.ICSI-REF="URN%3aURN-7%3a3GPP-SERVICE.IMS.ICSI.OMA.CPM.MSG"']).icsis, ['msg']);
});

test('AC-3: compact form, a quoted list of two ICSIs; require/explicit are not additional', () => {
  const msg = { headers: { a: [`*;+g.3gpp.icsi-ref="${MSG_ENC},${LARGE_ENC}";require;explicit`] } };
  const r = acceptContactOf(msg);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { icsis: ['msg', 'largemsg'], additional: [], malformed: [] });
});

test('AC-4: a second header with an IARI gives that IARI (decoded) as an additional string', () => {
  const msg = {
    headers: {
      'accept-contact': [
        `*;+g.3gpp.icsi-ref="${MSG_ENC}"`,
        '*;+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.chatbot.sa"',
      ],
    },
  };
  const r = acceptContactOf(msg);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    icsis: ['msg'],
    additional: ['+g.3gpp.iari-ref=urn:urn-7:3gpp-application.ims.iari.rcs.chatbot.sa'],
    malformed: [],
  });
});

test('AC-4: more — bare gsma tags, valued tags, non-CPM ICSIs and several ac-values on one line', () => {
  const v = ok([
    `*;+g.3gpp.icsi-ref="${LARGE_ENC}";+g.gsma.rcs.cpm.pager-large, *;+g.gsma.rcs.botversion="#=1,#=2";+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"`,
  ]);
  assert.deepEqual(v.icsis, ['largemsg']);
  assert.deepEqual(v.additional, [
    '+g.gsma.rcs.cpm.pager-large',
    '+g.gsma.rcs.botversion=#=1,#=2',
    '+g.3gpp.icsi-ref=urn:urn-7:3gpp-service.ims.icsi.mmtel',
  ]);
});

test('AC-1: malformed input — malformed values are typed errors, not throws', () => {
  const r1 = parseAcceptContact(['*;+g.3gpp.icsi-ref="unterminated']);
  assert.equal(r1.ok, false);
  assert.equal(!r1.ok && r1.error.code, 'UNTERMINATED_QUOTE');
  const r2 = parseAcceptContact(['sip:bob@x;+g.foo']);
  assert.equal(!r2.ok && r2.error.code, 'NOT_AC_VALUE');
  assert.deepEqual(ok([]), { icsis: [], additional: [], malformed: [] });
  assert.deepEqual(ok(['*;+g.3gpp.icsi-ref="%E0%80%AFbad%zz"']).additional, ['+g.3gpp.icsi-ref=\u00e0\u0080\u00afbad%zz']);
});

test('AC-1: a malformed value beside a good one is reported, and the good one still counts', () => {
  const r = parseAcceptContact(['sip:bob@x;+g.foo', `*;+g.3gpp.icsi-ref="${MSG_ENC}"`]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.icsis, ['msg']);
  assert.deepEqual(r.value.malformed.map((e) => e.code), ['NOT_AC_VALUE']);
});

test('AC-3: a good value and a malformed one on the same line, in either order', () => {
  for (const line of [`*;+g.3gpp.icsi-ref="${MSG_ENC}", <sip:x@y>;+g.foo`, `<sip:x@y>;+g.foo, *;+g.3gpp.icsi-ref="${MSG_ENC}";require`]) {
    const r = parseAcceptContact([line]);
    assert.ok(r.ok, line);
    assert.deepEqual(r.value.icsis, ['msg']);
    assert.equal(r.value.malformed.length, 1);
  }
});

test('AC-4: an unterminated quote loses only its own value; the IARI and ICSI before it stay', () => {
  const r = parseAcceptContact([`*;+g.3gpp.icsi-ref="${MSG_ENC}", *;+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.chatbot.sa", *;+g.foo="open`]);
  assert.ok(r.ok);
  assert.deepEqual(r.value.icsis, ['msg']);
  assert.deepEqual(r.value.additional, ['+g.3gpp.iari-ref=urn:urn-7:3gpp-application.ims.iari.rcs.chatbot.sa']);
  assert.deepEqual(r.value.malformed.map((e) => e.code), ['UNTERMINATED_QUOTE']);
});

test('DSP-0a: P-Asserted-Service parse — P-Asserted-Service names one CPM ICSI', () => {
  assert.deepEqual(
    assertedCpmServices({ headers: { 'p-asserted-service': ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.filetransfer'] } }),
    ['filetransfer'],
  );
  assert.deepEqual(assertedCpmServices({ headers: { 'p-asserted-service': ['urn:urn-7:3gpp-service.ims.icsi.mmtel'] } }), []);
});
