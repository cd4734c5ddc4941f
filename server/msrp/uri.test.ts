import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMsrpUri, formatMsrpUri, msrpUriTextEqual, parsePath } from './uri';
import { arbUri } from './arbitraries';

test('parses the parts of an MSRP URI', () => {
  assert.deepEqual(parseMsrpUri('msrp://alice@Atlanta.Example.com:7654/jshA7weztas;tcp'), {
    secure: false, user: 'alice', host: 'Atlanta.Example.com', port: 7654, portGiven: true, sessionId: 'jshA7weztas', transport: 'tcp', params: [],
  });
  const v6 = parseMsrpUri('msrps://[2001:db8::1]/s1;TCP;foo=bar')!;
  assert.equal(v6.secure, true);
  assert.equal(v6.host, '[2001:db8::1]');
  assert.equal(v6.port, 2855);
  assert.equal(v6.portGiven, false);
  assert.equal(v6.transport, 'tcp');
  assert.deepEqual(v6.params, ['foo=bar']);
  assert.equal(parseMsrpUri('msrp://relay.example.com;tcp')!.sessionId, undefined);
  for (const bad of ['sip:a@b', 'msrp://a/b', 'msrp://a:0/b;tcp', 'msrp://a:99999/b;tcp', 'msrp:///b;tcp', 'msrp://a b/c;tcp', 'msrp://a/b c;tcp', 'msrp://a/s;']) {
    assert.equal(parseMsrpUri(bad), undefined, bad);
  }
});

test('RFC 4975 §6.1 comparison: host case-insensitive, session-id case-sensitive, default port counts', () => {
  assert.ok(msrpUriTextEqual('msrp://Example.COM:2855/abc;tcp', 'MSRP://example.com/abc;TCP'));
  assert.ok(msrpUriTextEqual('msrp://bob@example.com/abc;tcp', 'msrp://example.com/abc;tcp;x=y'));
  assert.ok(msrpUriTextEqual('msrp://ex%61mple.com/abc;tcp', 'msrp://example.com/abc;tcp'));
  assert.ok(!msrpUriTextEqual('msrp://example.com/abc;tcp', 'msrp://example.com/ABC;tcp'));
  assert.ok(!msrpUriTextEqual('msrp://example.com/abc;tcp', 'msrps://example.com/abc;tcp'));
  assert.ok(!msrpUriTextEqual('msrp://example.com:2856/abc;tcp', 'msrp://example.com/abc;tcp'));
  assert.ok(!msrpUriTextEqual('msrp://example.com/abc;tcp', 'msrp://example.com/abc;sctp'));
  assert.ok(!msrpUriTextEqual('msrp://example.com/abc;tcp', 'not a uri'));
});

test('property: format∘parse is the identity and a URI equals itself', () => {
  fc.assert(fc.property(arbUri, (text) => {
    const u = parseMsrpUri(text)!;
    assert.ok(u, text);
    assert.equal(formatMsrpUri(u), text);
    assert.ok(msrpUriTextEqual(text, text.replace(/^msrp/, 'MSRP').replace(/\/\/([^/]+)/, (all) => all.toUpperCase())));
  }));
});

test('paths are URIs separated by spaces', () => {
  assert.equal(parsePath('msrp://r.example;tcp msrp://a.example:9/s;tcp')!.length, 2);
  assert.equal(parsePath(''), undefined);
  assert.equal(parsePath('msrp://a/s;tcp junk'), undefined);
});
