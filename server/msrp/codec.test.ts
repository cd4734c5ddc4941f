// The MSRP codec: serialize∘parse is the identity whatever the split of the stream, garbage never
// throws, limits give the events the caller answers with (413, 400, close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsrpParser, type ParseEvent } from './parser';
import { serialize, newTid, bodyContainsTid, MsrpSerializeError, responseTo } from './serializer';
import type { MsrpMessage, MsrpRequest } from './message';
import { arbMessage, arbRequest, splitAt, arbBody } from './arbitraries';

function parseAll(chunks: Buffer[], p = new MsrpParser()): ParseEvent[] {
  const out: ParseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  return out;
}

function messages(events: ParseEvent[]): MsrpMessage[] {
  return events.map((e) => {
    assert.equal(e.type, 'message', `unexpected event ${JSON.stringify(e)}`);
    return (e as { message: MsrpMessage }).message;
  });
}

// RFC 4975 §7.1.1 example (simplified paths)
const RFC_SEND =
  'MSRP a786hjs2 SEND\r\n' +
  'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
  'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
  'Message-ID: 87652491\r\n' +
  'Byte-Range: 1-25/25\r\n' +
  'Content-Type: text/plain\r\n' +
  '\r\n' +
  'Hey Bob, are you there?\r\n\r\n' +
  '-------a786hjs2$\r\n';

test('parses the RFC 4975 example SEND and its 200', () => {
  const resp = 'MSRP a786hjs2 200 OK\r\nTo-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
    'From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n-------a786hjs2$\r\n';
  const [send, ok] = messages(parseAll([Buffer.from(RFC_SEND + resp)]));
  assert.equal(send.kind, 'request');
  const s = send as MsrpRequest;
  assert.equal(s.method, 'SEND');
  assert.equal(s.messageId, '87652491');
  assert.deepEqual(s.byteRange, { start: 1, end: 25, total: 25 });
  assert.equal(s.body!.toString(), 'Hey Bob, are you there?\r\n');
  assert.equal(s.continuation, '$');
  assert.equal(ok.kind, 'response');
  assert.equal(ok.kind === 'response' && ok.code, 200);
  assert.equal(ok.kind === 'response' && ok.comment, 'OK');
  assert.deepEqual(serialize(send).toString('latin1'), RFC_SEND);
});

test('bodiless SEND, REPORT, unknown method, stray CRLF between messages', () => {
  const text =
    'MSRP dkei38sd SEND\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: 4564dpWd\r\nByte-Range: 1-*/8\r\n-------dkei38sd$\r\n' +
    '\r\n' +
    'MSRP dkei38ia REPORT\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: 12339sdqwer\r\nByte-Range: 1-106/106\r\nStatus: 000 200 OK\r\n-------dkei38ia$\r\n' +
    'MSRP zzzz9999 NICKNAME\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nUse-Nickname: "Alice"\r\n-------zzzz9999$\r\n';
  const ms = messages(parseAll([Buffer.from(text)])) as MsrpRequest[];
  assert.deepEqual(ms.map((m) => m.method), ['SEND', 'REPORT', 'NICKNAME']);
  assert.equal(ms[0].body, undefined);
  assert.deepEqual(ms[0].byteRange, { start: 1, end: '*', total: 8 });
  assert.deepEqual(ms[1].status, { namespace: '000', code: 200, reason: 'OK' });
  assert.deepEqual(ms[2].headers, [['Use-Nickname', '"Alice"']]);
});

test('a blank line directly followed by the end-line is an empty body', () => {
  const text = 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: m123\r\nContent-Type: text/plain\r\n\r\n-------abcd1234$\r\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const [m] = messages(parseAll([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))])) as MsrpRequest[];
    assert.equal(m.body!.length, 0);
  }
});

test('property: serialize then parse is the identity, the stream split anywhere', () => {
  fc.assert(fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(20000), { maxLength: 12 }), (ms, cuts) => {
    const bytes = Buffer.concat(ms.map(serialize));
    const got = messages(parseAll(splitAt(bytes, cuts)));
    assert.deepEqual(got, ms);
  }), { numRuns: 400 });
});

test('property: byte-by-byte feeding gives the same messages', () => {
  fc.assert(fc.property(arbMessage, (m) => {
    const bytes = serialize(m);
    const p = new MsrpParser();
    const ev: ParseEvent[] = [];
    for (let i = 0; i < bytes.length; i++) ev.push(...p.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(messages(ev), [m]);
    assert.equal(p.pending, 0);
  }), { numRuns: 60 });
});

test('property: the serializer refuses a tid its body contains; newTid never picks one', () => {
  fc.assert(fc.property(arbBody, fc.nat(), (body, seed) => {
    let x = seed;
    const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
    const tid = newTid(body, rnd, 4);
    assert.equal(bodyContainsTid(body, tid), false);
    // a body that holds its own end-line
    const evil = Buffer.concat([body, Buffer.from(`\r\n-------${tid}$\r\n`)]);
    const m: MsrpMessage = { kind: 'request', tid, method: 'SEND', toPath: ['msrp://a/x;tcp'], fromPath: ['msrp://b/y;tcp'], headers: [], messageId: 'mid1', contentType: 'text/plain', body: evil, continuation: '$' };
    assert.throws(() => serialize(m), MsrpSerializeError);
  }), { numRuns: 300 });
});

test('property: garbage never throws and every event is well-formed', () => {
  const arbGarbage = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    // a valid stream with bytes overwritten
    fc.tuple(fc.array(arbMessage, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }))
      .map(([ms, flips]) => {
        const b = Buffer.concat(ms.map(serialize));
        for (const [at, v] of flips) b[at % b.length] = v;
        return b;
      }),
    // pieces of MSRP syntax in random order
    fc.array(fc.constantFrom('MSRP ', 'abcd1234', ' SEND', ' 200 OK', '\r\n', 'To-Path: msrp://a/x;tcp', 'From-Path: msrp://b/y;tcp',
      'Byte-Range: 1-*/*', 'Message-ID: 1234', 'Content-Type: text/plain', '-------abcd1234', '$', '+', '#', ':'), { maxLength: 40 })
      .map((p) => Buffer.from(p.join(''), 'latin1')),
  );
  fc.assert(fc.property(arbGarbage, fc.array(fc.nat(5000), { maxLength: 6 }), (g, cuts) => {
    const p = new MsrpParser({ maxHeaderBytes: 512, maxBodyBytes: 256 });
    const ev = parseAll(splitAt(g, cuts), p);
    for (const e of ev) {
      assert.ok(['message', 'invalid', 'too-large', 'fatal'].includes(e.type));
      // the parser's own safety net (a thrown error turned into fatal) never fires
      if (e.type === 'fatal') assert.ok(!e.reason.startsWith('parser error'), e.reason);
    }
    // after fatal, nothing but fatal
    const f = ev.findIndex((e) => e.type === 'fatal');
    if (f >= 0) assert.ok(ev.slice(f).every((e) => e.type === 'fatal'));
  }), { numRuns: 500 });
});

const head = (tid: string) => `MSRP ${tid} SEND\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: m1234\r\nFailure-Report: partial\r\nContent-Type: text/plain\r\n\r\n`;

test('a body past maxBodyBytes: too-large at once, skipped, the next message still parsed', () => {
  const p = new MsrpParser({ maxBodyBytes: 100 });
  const ev1 = p.push(Buffer.from(head('big11111') + 'x'.repeat(150)));
  assert.equal(ev1.length, 1);
  assert.equal(ev1[0].type, 'too-large');
  if (ev1[0].type === 'too-large') {
    assert.equal(ev1[0].head.tid, 'big11111');
    assert.equal(ev1[0].head.failureReport, 'partial');
    assert.deepEqual(ev1[0].head.fromPath, ['msrp://b.example/y1;tcp']);
  }
  const ev2 = p.push(Buffer.from('y'.repeat(100_000)));
  assert.deepEqual(ev2, []);
  assert.ok(p.pending < 200, `held ${p.pending} bytes while discarding`);
  const ev3 = p.push(Buffer.from(`\r\n-------big11111$\r\n` + head('next2222') + 'ok\r\n-------next2222$\r\n'));
  assert.equal(ev3.length, 1);
  assert.equal(ev3[0].type, 'message');
});

test('a whole oversized body in one read is too-large, and so is one just past the limit', () => {
  const p = new MsrpParser({ maxBodyBytes: 10 });
  const ev = p.push(Buffer.from(head('tidA1234') + '01234567890\r\n-------tidA1234$\r\n' + head('tidB1234') + '0123456789\r\n-------tidB1234$\r\n'));
  assert.deepEqual(ev.map((e) => e.type), ['too-large', 'message']);
});

test('headers past maxHeaderBytes, or a stream that is not MSRP: fatal', () => {
  const p = new MsrpParser({ maxHeaderBytes: 200 });
  const ev = p.push(Buffer.from(`MSRP abcd1234 SEND\r\nX-Long: ${'a'.repeat(300)}`));
  assert.deepEqual(ev.map((e) => e.type), ['fatal']);
  assert.deepEqual(p.push(Buffer.from('more')).map((e) => e.type), ['fatal']);
  assert.deepEqual(new MsrpParser().push(Buffer.from('GET / HTTP/1.1\r\n')).map((e) => e.type), ['fatal']);
  assert.deepEqual(new MsrpParser().push(Buffer.from('GET')).map((e) => e.type), ['fatal']);
  assert.deepEqual(new MsrpParser().push(Buffer.from('MSRP x SEND\r\n')).map((e) => e.type), ['fatal']);
});

test('a framed message with a bad header is invalid (400 material), the stream goes on', () => {
  const bad = 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a.example/x1;tcp\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: m1234\r\nByte-Range: zz\r\n-------abcd1234$\r\n';
  const noTo = 'MSRP abcd1235 SEND\r\nFrom-Path: msrp://b.example/y1;tcp\r\nMessage-ID: m1234\r\n-------abcd1235$\r\n';
  const ev = new MsrpParser().push(Buffer.from(bad + noTo + RFC_SEND));
  assert.deepEqual(ev.map((e) => e.type), ['invalid', 'invalid', 'message']);
  if (ev[0].type === 'invalid') {
    assert.equal(ev[0].reason, 'bad Byte-Range');
    assert.deepEqual(ev[0].head.fromPath, ['msrp://b.example/y1;tcp']);
  }
});

test('responseTo answers the previous hop from the responder', () => {
  const r = responseTo({ tid: 'abcd1234', fromPath: ['msrp://relay/r1;tcp', 'msrp://b/y;tcp'] }, 413, 'msrp://pf/s1;tcp');
  assert.deepEqual(serialize(r).toString(), 'MSRP abcd1234 413 Message Too Large\r\nTo-Path: msrp://relay/r1;tcp\r\nFrom-Path: msrp://pf/s1;tcp\r\n-------abcd1234$\r\n');
});

test('property: a request round-trips through the parser even when its body is large and split', () => {
  fc.assert(fc.property(arbRequest, fc.uint8Array({ minLength: 5000, maxLength: 40000 }), fc.array(fc.nat(60000), { maxLength: 20 }), (r, big, cuts) => {
    const m: MsrpRequest = { ...r, body: Buffer.from(big), contentType: r.contentType ?? 'application/octet-stream' };
    if (bodyContainsTid(m.body, m.tid)) return;
    const got = messages(parseAll(splitAt(serialize(m), cuts)));
    assert.deepEqual(got, [m]);
  }), { numRuns: 60 });
});
