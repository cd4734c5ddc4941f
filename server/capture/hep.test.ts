import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { decodeHep } from '../../e2e/support/hep-decode';
import { encodeHep, HEP_MAX_BYTES, ipv6Bytes } from './hep';

// hep-js (sipcapture's own library) as a second, independent reader of what we write
const hepJs = createRequire(import.meta.url)('hep-js') as { decapsulate(b: Buffer): { rcinfo: Record<string, unknown>; payload: string } | false };

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const packet = fc.record({
  proto: fc.constantFrom('udp' as const, 'tcp' as const),
  src: fc.record({ host: ipv4, port: fc.integer({ min: 1, max: 65535 }) }),
  dst: fc.record({ host: ipv4, port: fc.integer({ min: 1, max: 65535 }) }),
  atUs: fc.integer({ min: 0, max: 4_000_000_000 * 1e6 }),
  captureId: fc.nat(0xffffffff),
  nodeName: fc.stringMatching(/^[a-z0-9.:-]{1,30}$/),
  correlationId: fc.stringMatching(/^[A-Za-z0-9@.-]{1,40}$/),
  payload: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
});

test('HEP: every field of a packet reads back the same, binary payloads byte for byte', () => {
  fc.assert(
    fc.property(packet, (p) => {
      const d = decodeHep(encodeHep(p)!);
      assert.deepEqual([d.family, d.protocol, d.protocolType], [2, p.proto === 'udp' ? 17 : 6, 1]);
      assert.deepEqual([d.src, d.dst], [{ ...p.src }, { ...p.dst }]);
      assert.equal(d.timeSec * 1e6 + d.timeUsec, p.atUs);
      assert.deepEqual([d.captureId, d.nodeName, d.correlationId], [p.captureId, p.nodeName, p.correlationId]);
      assert.ok(d.payload.equals(p.payload));
    }),
  );
});

test('HEP: sipcapture\'s hep-js reads our packets with the same addresses, ports, times, ids and SIP text', () => {
  fc.assert(
    fc.property(packet, fc.stringMatching(/^[ -~]{0,500}$/), (p, sip) => {
      const got = hepJs.decapsulate(encodeHep({ ...p, payload: Buffer.from(sip, 'latin1') })!);
      assert.ok(got, 'hep-js could not read it');
      assert.deepEqual(got.rcinfo, {
        protocolFamily: 2, protocol: p.proto === 'udp' ? 17 : 6, srcIp: p.src.host, dstIp: p.dst.host, srcPort: p.src.port, dstPort: p.dst.port,
        timeSeconds: Math.floor(p.atUs / 1e6), timeUseconds: p.atUs % 1e6, payloadType: 1, captureId: p.captureId, hepNodeName: p.nodeName, correlation_id: p.correlationId,
      });
      assert.equal(got.payload, sip);
    }),
  );
});

test('HEP: IPv6 and IPv4-mapped addresses, and a packet past 64 KiB is refused rather than cut', () => {
  const d = decodeHep(encodeHep({ proto: 'tcp', src: { host: '2001:db8::1', port: 5060 }, dst: { host: '::ffff:127.0.0.1', port: 9 }, atUs: 1, captureId: 1, payload: Buffer.from('x') })!);
  assert.equal(d.family, 10);
  assert.deepEqual([d.src.host, d.dst.host], ['2001:db8:0:0:0:0:0:1', '0:0:0:0:0:ffff:7f00:1']);
  // a dual-stack socket's view of an IPv4 peer on both ends is plain IPv4
  assert.equal(decodeHep(encodeHep({ proto: 'udp', src: { host: '::ffff:10.0.0.1', port: 1 }, dst: { host: '10.0.0.2', port: 2 }, atUs: 1, captureId: 1, payload: Buffer.alloc(0) })!).family, 2);
  assert.deepEqual([...ipv6Bytes('::')], Array(16).fill(0));
  assert.equal(encodeHep({ proto: 'udp', src: { host: '1.2.3.4', port: 1 }, dst: { host: '1.2.3.4', port: 2 }, atUs: 1, captureId: 1, payload: Buffer.alloc(HEP_MAX_BYTES) }), undefined);
});
