import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reassembler } from './reassembly';
import type { MsrpRequest, Continuation } from './message';

function chunk(id: string, body: Buffer, start: number, flag: Continuation, endStar = false, total: number | '*' = '*'): MsrpRequest {
  return {
    kind: 'request', tid: 'tid00001', method: 'SEND', toPath: ['msrp://pf/a;tcp'], fromPath: ['msrp://c/b;tcp'], headers: [],
    messageId: id, contentType: 'application/octet-stream', body, continuation: flag,
    byteRange: { start, end: endStar ? '*' : start + body.length - 1, total },
  };
}

/** Cuts `body` into chunks at the given points; the last chunk in byte order is flagged '$'. */
function cut(id: string, body: Buffer, points: number[], starFlags: boolean[]): MsrpRequest[] {
  const ps = [...new Set(points.map((p) => p % (body.length + 1)))].filter((p) => p > 0 && p < body.length).sort((a, b) => a - b);
  const bounds = [0, ...ps, body.length];
  const out: MsrpRequest[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const last = i + 2 === bounds.length;
    const star = starFlags[i % Math.max(1, starFlags.length)] ?? false;
    out.push(chunk(id, body.subarray(bounds[i], bounds[i + 1]), bounds[i] + 1, last ? '$' : '+', star && !last, star ? '*' : body.length));
  }
  return out;
}

test('property: chunks in any order, with duplicates, give the message once, byte-exact', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.array(fc.nat(), { maxLength: 15 }), fc.array(fc.boolean(), { maxLength: 5 }),
    fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 5 }),
    (bytes, points, stars, order, dups) => {
      const body = Buffer.from(bytes);
      const chunks = cut('msg00001', body, points, stars);
      // a permutation of the chunks, then some duplicates after
      const perm = chunks.map((c, i) => ({ c, k: order[i] ?? i })).sort((a, b) => a.k - b.k).map((x) => x.c);
      const feed = [...perm, ...dups.map((d) => chunks[d % chunks.length])];
      const r = new Reassembler();
      let completes = 0;
      feed.forEach((c, i) => {
        const res = r.add(c, i);
        if (i < perm.length - 1) assert.notEqual(res.type, 'complete');
        if (res.type === 'complete') {
          completes++;
          assert.ok(res.message.body.equals(body));
          assert.equal(res.message.contentType, 'application/octet-stream');
          assert.equal(res.message.chunks, chunks.length);
        }
        if (i >= perm.length) assert.equal(res.type, 'duplicate');
      });
      assert.equal(completes, 1);
      assert.equal(r.size, 0);
    }), { numRuns: 300 });
});

test('interleaved messages are kept apart by Message-ID', () => {
  const r = new Reassembler();
  const a = cut('aaaa0001', Buffer.from('hello world, this is A'), [5, 11], []);
  const b = cut('bbbb0001', Buffer.from('and this is B'), [3], []);
  const got: string[] = [];
  for (const c of [a[0], b[0], a[1], b[1], a[2]]) {
    const res = r.add(c, 0);
    if (res.type === 'complete') got.push(`${res.message.messageId}:${res.message.body}`);
  }
  assert.deepEqual(got, ['bbbb0001:and this is B', 'aaaa0001:hello world, this is A']);
});

test("'#' aborts the message; a message past maxMessageBytes is refused, and so are its later chunks", () => {
  const r = new Reassembler({ maxMessageBytes: 100 });
  assert.equal(r.add(chunk('abrt0001', Buffer.from('abc'), 1, '+'), 0).type, 'partial');
  assert.deepEqual(r.add(chunk('abrt0001', Buffer.from('d'), 4, '#'), 0), { type: 'aborted', messageId: 'abrt0001' });
  assert.equal(r.size, 0);
  // declared total too large: refused on the first chunk
  assert.equal(r.add(chunk('big00001', Buffer.from('abc'), 1, '+', false, 1000), 0).type, 'too-large');
  assert.equal(r.add(chunk('big00001', Buffer.from('def'), 4, '+', false, 1000), 0).type, 'too-large');
  // unknown total, learnt too large as bytes arrive
  assert.equal(r.add(chunk('big00002', Buffer.alloc(60), 1, '+'), 0).type, 'partial');
  assert.equal(r.add(chunk('big00002', Buffer.alloc(60), 61, '+'), 0).type, 'too-large');
  assert.equal(r.size, 0);
});

test('inconsistent Byte-Range is invalid', () => {
  const r = new Reassembler();
  assert.equal(r.add(chunk('bad00001', Buffer.from('abcdef'), 1, '$', false, 3), 0).type, 'invalid');
  const c = chunk('bad00002', Buffer.from('abcdef'), 1, '+');
  c.byteRange = { start: 1, end: 3, total: 10 };
  assert.equal(r.add(c, 0).type, 'invalid');
});

test('a whole message without Byte-Range, and an empty one', () => {
  const r = new Reassembler();
  const c = chunk('whole001', Buffer.from('hi'), 1, '$');
  delete c.byteRange;
  const res = r.add(c, 0);
  assert.equal(res.type, 'complete');
  const e = r.add(chunk('empty001', Buffer.alloc(0), 1, '$', false, 0), 0);
  assert.ok(e.type === 'complete' && e.message.body.length === 0);
});

test('bounded: at most maxInProgress messages, idle ones expire', () => {
  const r = new Reassembler({ maxInProgress: 3, idleMs: 1000 });
  for (let i = 0; i < 5; i++) r.add(chunk(`many000${i}`, Buffer.from('x'), 1, '+'), i);
  assert.equal(r.size, 3);
  assert.equal(r.dropped, 2);
  assert.deepEqual(r.expire(1002), ['many0002']);
  assert.deepEqual(r.expire(5000).sort(), ['many0003', 'many0004']);
  assert.equal(r.heldBytes, 0);
});
