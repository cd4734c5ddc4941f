import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CaptureRing } from './capture-ring';
import { sipHead } from './sip-head';
import type { WireMessage } from './wire';

const wire = (bytes: Buffer, atUs: number): WireMessage => ({
  direction: 'in', proto: 'udp', src: { host: '127.0.0.1', port: 1 }, dst: { host: '127.0.0.1', port: 2 }, atUs, bytes, head: sipHead(bytes),
});
const msg = (callId: string, atUs: number, bodyBytes: number): WireMessage =>
  wire(Buffer.concat([Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nCall-ID: ${callId}\r\nContent-Length: ${bodyBytes}\r\n\r\n`), Buffer.alloc(bodyBytes, 0x61)]), atUs);

test('capture ring: never holds more than its budget, keeps the newest messages, finds them by Call-ID in time order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 20_000 }), fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(3000)), { maxLength: 200 }), (budget, sends) => {
      const ring = new CaptureRing(budget);
      const all = sends.map(([id, body], i) => msg(id, i, body));
      for (const m of all) ring.tap(m);
      assert.ok(ring.heldBytes <= budget);
      const held = ring.of(['a', 'b', 'c', 'd']);
      // what is held is a suffix of what came, in order (older messages leave first), less messages too big alone
      const fits = all.filter((m) => m.bytes.length + 200 <= budget);
      assert.deepEqual(held, fits.slice(fits.length - held.length));
      assert.deepEqual(ring.of(['b']), held.filter((m) => m.bytes.includes(Buffer.from('Call-ID: b\r\n'))));
    }),
  );
});

test('capture ring: bytes without a Call-ID are not kept; a budget of 0 keeps nothing', () => {
  const ring = new CaptureRing(10_000);
  ring.tap(wire(Buffer.from('\r\n\r\n'), 1));
  assert.equal(ring.heldBytes, 0);
  const off = new CaptureRing(0);
  off.tap(msg('x', 1, 0));
  assert.deepEqual(off.of(['x']), []);
});
