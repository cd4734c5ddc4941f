import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sipHead } from './sip-head';
import { methodLabel } from '../metrics/sip-labels';
import { fullGc } from '../../e2e/support/gc';

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

test('sip-head, D-300: a Call-ID read from a message does not keep the message\'s header text alive (the capture ring holds Call-IDs for minutes)', () => {
  const n = 4000;
  const pad = 'x'.repeat(4000);
  fullGc();
  const before = process.memoryUsage().heapUsed;
  const ids: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nX-Pad: ${pad}${i}\r\nCall-ID: ${String(i).padStart(40, 'c')}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
    ids.push(sipHead(bytes).callId);
  }
  fullGc();
  const grew = process.memoryUsage().heapUsed - before;
  assert.equal(ids[n - 1], String(n - 1).padStart(40, 'c'));
  // 4,000 Call-IDs of 40 characters are about 0.3 MB; holding each header section would be 16 MB
  assert.ok(grew < 4 * 1024 * 1024, `${n} Call-IDs grew the heap by ${(grew / 1048576).toFixed(1)} MB`);
});
