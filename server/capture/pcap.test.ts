import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readPcap } from '../../e2e/support/pcap-read';
import { internetChecksum, LINKTYPE_RAW, writePcap } from './pcap';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const end = fc.record({ host: ipv4, port: fc.integer({ min: 1, max: 65535 }) });
const message = fc.record({
  proto: fc.constantFrom('udp' as const, 'tcp' as const),
  src: end,
  dst: end,
  atUs: fc.integer({ min: 0, max: 2 ** 32 * 1e6 - 1 }),
  bytes: fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)),
});

test('pcap: every message reads back in time order with its time, addresses, ports and bytes; every checksum is right', () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 12 }), (messages) => {
      const { linkType, packets } = readPcap(writePcap(messages));
      assert.equal(linkType, LINKTYPE_RAW);
      const sorted = [...messages].sort((a, b) => a.atUs - b.atUs);
      assert.equal(packets.length, sorted.length);
      packets.forEach((p, i) => {
        const m = sorted[i];
        assert.deepEqual([p.atUs, p.proto, p.family, p.src, p.dst], [m.atUs, m.proto, 4, { ...m.src }, { ...m.dst }]);
        assert.ok(p.payload.equals(m.bytes));
      });
    }),
  );
});

test('pcap: TCP sequence numbers run on per direction, so a stream of messages (and one split over segments) reassembles', () => {
  const a = { host: '10.0.0.1', port: 5060 };
  const b = { host: '10.0.0.2', port: 40000 };
  const big = Buffer.alloc(70_000, 0x41);
  const msgs = [
    { proto: 'tcp' as const, src: a, dst: b, atUs: 1, bytes: Buffer.from('first') },
    { proto: 'tcp' as const, src: b, dst: a, atUs: 2, bytes: Buffer.from('reply') },
    { proto: 'tcp' as const, src: a, dst: b, atUs: 3, bytes: big },
  ];
  const { packets } = readPcap(writePcap(msgs));
  const ab = packets.filter((p) => p.src.port === 5060);
  assert.deepEqual(ab.map((p) => p.seq), [1, 6, 6 + 32_768, 6 + 65_536]);
  assert.ok(Buffer.concat(ab.map((p) => p.payload)).equals(Buffer.concat([Buffer.from('first'), big])));
  assert.deepEqual(packets.filter((p) => p.src.port === 40000).map((p) => p.seq), [1]);
});

test('pcap: IPv6 and IPv4-mapped ends; the checksum of RFC 1071\'s example', () => {
  const { packets } = readPcap(writePcap([{ proto: 'udp', src: { host: '2001:db8::5', port: 5060 }, dst: { host: '::ffff:192.0.2.1', port: 5070 }, atUs: 5, bytes: Buffer.from('x') }]));
  assert.deepEqual([packets[0].family, packets[0].src.host, packets[0].dst.host], [6, '2001:db8:0:0:0:0:0:5', '0:0:0:0:0:ffff:c000:201']);
  // RFC 1071 §3: 0001 f203 f4f5 f6f7 sums to ddf2, whose complement is 220d
  assert.equal(internetChecksum([Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])]), 0x220d);
});
