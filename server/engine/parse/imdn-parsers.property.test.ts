import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeXml, parseXml, textContent } from './xml';
import { parseCpim, imdnHeaderValues } from './cpim';
import { parseImdnBody, parseImdnXml, polarityOf } from './imdn';
import { formatMultipart, parseMultipart } from './multipart';
import { normaliseUri, uriIdentity } from './uri';
import { parseContentType } from './content-type';
import { parseXdmsPrefs } from '../prefs/xdms-document';

const RUNS = { numRuns: 1500 };
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }));
const xmlish = fc.array(fc.constantFrom('<', '>', '/', '=', '"', "'", '&', ';', '#', 'x', 'a', ':', ' ', '!', '?', '[', ']', '-', 'imdn', 'amp', 'DOCTYPE', 'CDATA', 'xmlns'), { maxLength: 60 }).map((a) => a.join(''));
const typed = (r: { ok: boolean; error?: { code: string; message: string } }) => {
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) {
    assert.equal(typeof r.error?.code, 'string');
    assert.equal(typeof r.error?.message, 'string');
  }
};

test('IMDNP-prop-xml: any string → a root element or a typed error, never a throw', () => {
  fc.assert(fc.property(fc.oneof(anyText, xmlish), (s) => typed(parseXml(s))), RUNS);
});

test('IMDNP-prop-xml: escaped text round-trips through an element', () => {
  fc.assert(
    fc.property(fc.string().filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/.test(s)), (s) => {
      const r = parseXml(`<a>${escapeXml(s)}</a>`);
      assert.ok(r.ok);
      assert.equal(textContent(r.value), s);
    }),
    RUNS,
  );
});

test('IMDNP-prop-cpim: any string → CPIM message or typed error; repeated imdn headers keep their order', () => {
  fc.assert(fc.property(anyText, (s) => typed(parseCpim(s))), RUNS);
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9@:<>._-]{1,20}$/), { minLength: 1, maxLength: 5 }), (routes) => {
      const text = `NS: imdn <urn:ietf:params:imdn>\r\n${routes.map((r) => `imdn.IMDN-Record-Route: ${r}`).join('\r\n')}\r\n\r\nContent-Type: text/plain\r\n\r\nx`;
      const r = parseCpim(text);
      assert.ok(r.ok);
      assert.deepEqual(imdnHeaderValues(r.value, 'IMDN-Record-Route'), routes.map((x) => x.trim()));
    }),
    { numRuns: 300 },
  );
});

test('IMDNP-prop-imdn: any XML/body → notification or typed error; status and polarity agree', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, xmlish), (s) => {
      const r = parseImdnXml(s);
      typed(r);
      if (r.ok) assert.equal(r.value.polarity, polarityOf(r.value.status));
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.constantFrom('message/cpim', 'multipart/mixed;boundary=b', 'text/plain', '', 'multipart/mixed'), anyText, (ct, body) => {
      const r = parseImdnBody(ct, body);
      typed(r);
      if (r.ok) for (const p of r.value.parts) if (!p.ok) assert.equal(typeof p.error.code, 'string');
    }),
    RUNS,
  );
});

test('IMDNP-prop-status: any status element name parses, unknown ones are negative', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), (st) => {
      const r = parseImdnXml(`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><delivery-notification><status><${st}/></status></delivery-notification></imdn>`);
      assert.ok(r.ok);
      assert.equal(r.value.status, st);
      const positive = ['delivered', 'displayed', 'processed', 'stored', 'legacy-sms', 'legacy-mms'].includes(st);
      assert.equal(r.value.polarity, positive ? 'positive' : 'negative');
    }),
    { numRuns: 500 },
  );
});

test('IMDNP-prop-multipart: any body → parts or typed error; built bodies split back into the same parts', () => {
  fc.assert(fc.property(anyText, anyText, (ct, body) => typed(parseMultipart(ct, body))), RUNS);
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9 <>:=.\r\n-]{0,40}$/).map((s) => s.replace(/\r?\n?$/, '')), { minLength: 1, maxLength: 6 }), (bodies) => {
      const boundary = 'bnd-Z9';
      fc.pre(bodies.every((b) => !b.includes(boundary)));
      const text = formatMultipart(boundary, bodies.map((b) => ({ headers: [{ name: 'Content-Type', value: 'message/cpim' }], body: b.replace(/\r?\n/g, '\r\n') })));
      const r = parseMultipart(`multipart/mixed; boundary=${boundary}`, text);
      assert.ok(r.ok);
      assert.deepEqual(r.value.map((p) => p.body), bodies.map((b) => b.replace(/\r?\n/g, '\r\n')));
    }),
    { numRuns: 300 },
  );
});

test('RX-key-prop: normaliseUri is total and idempotent on its own output', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, fc.stringMatching(/^(<)?(sip|sips|tel|SIP|mailto):[+A-Za-z0-9.@;=:()\-]{0,30}(>)?$/)), (s) => {
      const n = normaliseUri(s);
      assert.equal(typeof n, 'string');
      assert.equal(typeof uriIdentity(s).kind, 'string');
      if (/^(sip:|\+[0-9]*$)/.test(n)) assert.equal(normaliseUri(n), n);
    }),
    RUNS,
  );
});

test('IMDNP-prop-ct: parseContentType is total; parameter names are lower-case', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const c = parseContentType(s);
      assert.equal(typeof c.mediaType, 'string');
      for (const k of Object.keys(c.params)) assert.equal(k, k.toLowerCase());
    }),
    RUNS,
  );
});

test('PREF-prop: any preference document → values or typed error, never a throw', () => {
  fc.assert(fc.property(fc.oneof(anyText, xmlish), (s) => typed(parseXdmsPrefs(s))), RUNS);
});
