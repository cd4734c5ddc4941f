import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sipHead } from './sip-head';
import { methodLabel } from '../metrics/sip-labels';

const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,20}$/);
const method = fc.constantFrom('INVITE', 'MESSAGE', 'BYE', 'NOTIFY', 'SUBSCRIBE', 'REGISTER', 'ACK');

test('sip-head: method, status, CSeq method and Call-ID (long or compact form) of any request or response; the body is never read', () => {
  fc.assert(
    fc.property(method, fc.integer({ min: 100, max: 699 }), token, fc.boolean(), fc.boolean(), fc.uint8Array({ maxLength: 64 }), (m, status, callId, compact, isResponse, body) => {
      const first = isResponse ? `SIP/2.0 ${status} Whatever Phrase` : `${m} sip:alice@example.com SIP/2.0`;
      const head = [first, 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1', `${compact ? 'i' : 'Call-ID'}: ${callId}`, `CSeq: 7 ${m}`, `Content-Length: ${body.length}`, '', ''].join('\r\n');
      const h = sipHead(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]));
      assert.equal(h.callId, callId);
      assert.equal(h.method, m);
      if (isResponse) assert.deepEqual([h.kind, h.status], ['response', status]);
      else assert.deepEqual([h.kind, h.status], ['request', undefined]);
    }),
  );
});

test('sip-head: bytes that are not SIP are unknown, without a throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void sipHead(Buffer.from(b))));
  assert.equal(sipHead(Buffer.from('\r\n\r\n')).kind, 'unknown');
  assert.equal(sipHead(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')).kind, 'unknown');
});

test('sip-labels: a method invented on the wire is counted as OTHER, so a peer cannot grow the series without bound', () => {
  assert.equal(methodLabel('MESSAGE'), 'MESSAGE');
  assert.equal(methodLabel('XYZZY'), 'OTHER');
  assert.equal(methodLabel(undefined), 'OTHER');
});
