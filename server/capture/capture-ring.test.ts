import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { CaptureRing, callIdHash, recordBytes } from './capture-ring';
import { sipHead } from './sip-head';
import type { WireMessage } from './wire';
import { fullGc } from '../../e2e/support/gc';

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
      const fits = all.filter((m) => recordBytes(m) <= budget);
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

test('capture ring, D-300: what it holds stays near its budget when the messages are cut from larger buffers (a TCP read, Node\'s 8 KB pool)', () => {
  const budget = 1024 * 1024;
  const ring = new CaptureRing(budget);
  fullGc();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 20_000; i++) {
    const slab = Buffer.allocUnsafeSlow(8192);
    const text = Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nCall-ID: call-${i % 50}\r\nContent-Length: 0\r\n\r\n`);
    text.copy(slab, 100);
    ring.tap(wire(slab.subarray(100, 100 + text.length), i));
  }
  fullGc();
  const held = process.memoryUsage().arrayBuffers - before;
  assert.ok(ring.heldBytes <= budget);
  assert.ok(held < 2 * budget, `a ring of ${budget} bytes holds ${(held / 1048576).toFixed(1)} MB of buffers`);
  assert.match(ring.of(['call-7']).at(-1)!.bytes.toString(), /Call-ID: call-7\r\n/, 'the bytes held are the message\'s');
});

test('capture ring, D-301: PF_CAPTURE_MAX_BYTES bounds the memory the ring takes, its bookkeeping included', () => {
  const budget = 4 * 1024 * 1024;
  fullGc();
  const m0 = process.memoryUsage();
  const ring = new CaptureRing(budget);
  for (let i = 0; i < 40_000; i++) {
    // as the edge's transport hands a datagram to its taps: the bytes, two addresses, the head
    const bytes = Buffer.from(`MESSAGE sip:u${i % 10}@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK${i}\r\nFrom: <sip:a@b>;tag=${i}\r\nTo: <sip:u1@example.com>\r\nCall-ID: ${i}-call@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 300\r\n\r\n${'x'.repeat(300)}`);
    const own = Buffer.allocUnsafeSlow(bytes.length);
    own.set(bytes);
    ring.tap({ direction: 'in', proto: 'udp', src: { host: '127.0.0.1', port: 5070 }, dst: { host: '127.0.0.1', port: 5060 }, atUs: i, bytes: own, head: sipHead(own) });
  }
  fullGc();
  const m1 = process.memoryUsage();
  const took = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  assert.ok(took < 1.2 * budget, `a ring of ${budget / 1048576} MB takes ${(took / 1048576).toFixed(1)} MB`);
});

/** a message as the edge's transport hands it to its taps, on its own ArrayBuffer as a datagram is */
function datagram(i: number, callId = `${i}-call@127.0.0.1`, direction: 'in' | 'out' = 'in', proto: 'udp' | 'tcp' = 'udp'): WireMessage {
  const text = Buffer.from(`MESSAGE sip:u${i % 10}@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK${i}\r\nCall-ID: ${callId}\r\nCSeq: 1 MESSAGE\r\nContent-Length: ${i % 300}\r\n\r\n${'x'.repeat(i % 300)}`);
  const own = Buffer.allocUnsafeSlow(text.length);
  own.set(text);
  return { direction, proto, src: { host: `10.0.${i % 7}.${i % 251}`, port: 5000 + (i % 1000) }, dst: { host: '::1', port: 5060 }, atUs: 1e15 + i, bytes: own, head: sipHead(own) };
}

test('capture ring, D-328: it holds its messages in one buffer, no object per message, so none of them is garbage for the old generation later', () => {
  const budget = 4 * 1024 * 1024;
  fullGc();
  const before = process.memoryUsage().heapUsed;
  const ring = new CaptureRing(budget);
  for (let i = 0; i < 40_000; i++) ring.tap(datagram(i));
  fullGc();
  const grew = process.memoryUsage().heapUsed - before;
  assert.ok(ring.heldBytes > budget / 2 && ring.heldBytes <= budget);
  assert.ok(grew < 256 * 1024, `the heap holds ${(grew / 1024).toFixed(0)} KiB more with a full ring of ${budget / 1048576} MiB`);
});

test('capture ring, D-328: a message comes back as it went in (addresses, direction, transport, time, bytes), the ring wrapping any number of times', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2_000, max: 40_000 }), fc.array(fc.tuple(fc.nat(5), fc.constantFrom<'in' | 'out'>('in', 'out'), fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp')), { minLength: 1, maxLength: 300 }), (budget, sends) => {
      const ring = new CaptureRing(budget);
      const all = sends.map(([call, dir, proto], i) => datagram(i, `call-${call}`, dir, proto));
      for (const m of all) ring.tap(m);
      const fits = all.filter((m) => recordBytes(m) <= budget);
      for (let call = 0; call <= 5; call++) {
        const held = ring.of([`call-${call}`]);
        const mine = fits.filter((m) => m.head.callId === `call-${call}`);
        assert.deepEqual(held, mine.slice(mine.length - held.length), `call-${call}`);
      }
      // the newest message that fits is always held
      if (fits.length) assert.deepEqual(ring.of([fits.at(-1)!.head.callId!]).at(-1), fits.at(-1));
    }),
  );
});

test('capture ring, D-328: Call-IDs that share a hash are told apart by the message\'s own', () => {
  // two Call-IDs with the same 32-bit hash, found by a birthday search
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair && i < 1_000_000; i++) {
    const id = randomBytes(9).toString('base64url');
    const other = seen.get(callIdHash(id));
    if (other) pair = [other, id];
    else seen.set(callIdHash(id), id);
  }
  assert.ok(pair, 'no two Call-IDs with one hash');
  const ring = new CaptureRing(1 << 20);
  const ids = [...pair, 'call-a'];
  ids.forEach((id, i) => ring.tap(datagram(i, id)));
  for (const id of ids) assert.deepEqual(ring.of([id]).map((m) => m.head.callId), [id]);
  assert.deepEqual(ring.of(['nobody']), []);
});
