import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SipParseError, parseSipMessage, splitList } from './message';
import { parseCSeq, parseNameAddr, parseUri, parseVia, splitOutsideQuotes } from './headers';
import { requestProblem } from './validate';
import { StreamFramer } from '../transport';

const raw = (lines: string[], body = '') => Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'), 'utf8');

test('parser: compact forms expand, multi-value headers split, folding joined', () => {
  const m = parseSipMessage(raw([
    'MESSAGE sip:b@example.com SIP/2.0',
    'v: SIP/2.0/UDP h1:5060;branch=z9hG4bK1, SIP/2.0/TCP h2;branch=z9hG4bK2',
    'Via: SIP/2.0/UDP h3;branch=z9hG4bK3',
    'f: "A, B" <sip:a@example.com>;tag=x',
    't: <sip:b@example.com>',
    'i: abc',
    'CSeq: 1',
    ' MESSAGE',
    'Route: <sip:p1;lr>,<sip:p2;lr>',
  ]));
  assert.deepEqual(m.getAll('via').map((v) => parseVia(v)!.host), ['h1', 'h2', 'h3']);
  assert.equal(m.get('Call-ID'), 'abc');
  assert.equal(m.get('cseq'), '1 MESSAGE');
  assert.deepEqual(parseCSeq(m.get('cseq')), { seq: 1, method: 'MESSAGE' });
  assert.equal(m.getAll('from').length, 1, 'From is not split on the comma inside quotes');
  assert.equal(parseNameAddr(m.get('from')!)!.tag, 'x');
  assert.deepEqual(m.getAll('route'), ['<sip:p1;lr>', '<sip:p2;lr>']);
  assert.equal(requestProblem(m), undefined);
});

test('parser: Content-Length counts bytes; UTF-8 body survives; serializer recomputes it', () => {
  const body = 'héllo ✓ 😀';
  const m = parseSipMessage(raw(['MESSAGE sip:b@x SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c', 'CSeq: 1 MESSAGE'], body));
  assert.equal(m.body.toString('utf8'), body);
  m.body = Buffer.from('ü', 'utf8');
  assert.match(m.toString(), /Content-Length: 2\r\n\r\nü$/);
  // A short body (Content-Length larger than what arrived) is an error, not a silent truncation.
  const short = Buffer.from('MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 10\r\n\r\nabc');
  assert.throws(() => parseSipMessage(short), SipParseError);
  // Extra bytes beyond Content-Length (UDP) are ignored.
  const long = Buffer.from('OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nl: 2\r\n\r\nabcdef');
  assert.equal(parseSipMessage(long).body.toString(), 'ab');
});

test('parser: malformed start lines and headers are typed errors carrying the partial message', () => {
  for (const bad of ['GARBAGE\r\n\r\n', 'INVITE sip:x SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n', 'INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n']) {
    try {
      parseSipMessage(Buffer.from(bad));
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
    }
  }
  try { parseSipMessage(Buffer.from('INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nbad line\r\n\r\n')); } catch (e) {
    assert.equal((e as SipParseError).partial?.getAll('via').length, 1);
  }
});

test('validation: missing/duplicate mandatory headers and CSeq mismatch are 400 material', () => {
  const base = ['INVITE sip:b@x SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c', 'CSeq: 1 INVITE'];
  assert.equal(requestProblem(parseSipMessage(raw(base))), undefined);
  assert.match(requestProblem(parseSipMessage(raw(base.filter((l) => !l.startsWith('To')))))!, /missing to/);
  assert.match(requestProblem(parseSipMessage(raw([...base, 'Call-ID: d'])))!, /duplicate call-id/);
  assert.match(requestProblem(parseSipMessage(raw(base.map((l) => l.replace('1 INVITE', '1 BYE')))))!, /CSeq method/);
  assert.match(requestProblem(parseSipMessage(raw(base.map((l) => l.replace('1 INVITE', '4294967296 INVITE')))))!, /CSeq/);
});

test('headers: URI, Via and name-addr views', () => {
  const u = parseUri('sip:alice@[::1]:5070;transport=tcp?subject=x')!;
  assert.equal(u.host, '[::1]');
  assert.equal(u.port, 5070);
  assert.equal(u.params.get('transport'), 'tcp');
  assert.equal(parseUri('sip:host:99999'), undefined);
  const v = parseVia('SIP/2.0/TCP 10.0.0.1:5061;branch=z9hG4bKx;rport;received=1.2.3.4')!;
  assert.equal(v.transport, 'TCP');
  assert.equal(v.params.get('rport'), '');
  assert.equal(v.branch, 'z9hG4bKx');
  assert.equal(parseNameAddr('sip:a@b;tag=9')!.tag, '9');
  assert.equal(parseNameAddr('<sip:a@b'), undefined);
  // a quoted display name may hold "<" (RFC 3261 §25.1; issue 18)
  assert.deepEqual({ ...parseNameAddr('"Bob <work>" <sip:bob@x>;tag=1'), params: undefined }, { display: 'Bob <work>', uri: 'sip:bob@x', params: undefined, tag: '1' });
  assert.equal(parseNameAddr('"a \\"<\\" b" <sip:a@x>')?.display, 'a "<" b');
  assert.equal(parseNameAddr('"unclosed <sip:a@x>'), undefined);
  assert.deepEqual(splitList('<sip:a,b@x>, "x,y" <sip:c@d>'), ['<sip:a,b@x>', '"x,y" <sip:c@d>']);
});

test('stream framer: cuts by Content-Length across chunk boundaries, answers CRLF pings, rejects junk', () => {
  const got: string[] = [];
  let pongs = 0;
  const f = new StreamFramer((m) => got.push(m.toString('utf8')), () => pongs++, 4096);
  const one = 'OPTIONS sip:x SIP/2.0\r\nl: 4\r\n\r\nødd';
  const buf = Buffer.from('\r\n\r\n' + one + one, 'utf8');
  for (const b of buf) assert.equal(f.push(Buffer.from([b])), true);
  assert.equal(pongs, 1);
  assert.deepEqual(got, [one, one]);
  const g = new StreamFramer(() => {}, () => {}, 64);
  assert.equal(g.push(Buffer.from('X'.repeat(100))), false, 'headers without end beyond the limit');
});

/** splitList by its definition: character by character, as the edge first wrote it (issue 17 keeps it as the reference). */
function splitListByDefinition(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      cur += ch;
      if (ch === '\\' && i + 1 < value.length) cur += value[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '<') angle++;
    else if (ch === '>' && angle > 0) angle--;
    else if (ch === ',' && angle === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

test('splitList splits a header value as its definition does: commas outside quotes and angle brackets, escapes in quotes, empty items dropped', () => {
  const pieces = fc.constantFrom(',', ' ', '"', '<', '>', '\\', 'a', 'sip:b@x', ';branch=z9', '\t', ', ');
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 24 }).map((xs) => xs.join('')), (v) => {
      assert.deepEqual(splitList(v), splitListByDefinition(v));
    }),
    { numRuns: 5000 },
  );
  for (const v of ['', ' , ,', 'SIP/2.0/UDP a:1;branch=x', 'SIP/2.0/UDP a;branch=x, SIP/2.0/UDP b;branch=y', '"a\\"b,c" <sip:x>, <sip:y,z@w>', '"unclosed, x']) {
    assert.deepEqual(splitList(v), splitListByDefinition(v), v);
  }
});

/** splitOutsideQuotes as the edge first wrote it, a code point at a time (the reference for the slicing one). */
function splitOutsideQuotesByDefinition(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of s) {
    if (ch === '"') q = !q;
    if (ch === sep && !q) { out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur);
  return out;
}

test('splitOutsideQuotes cuts as its definition does: at separators outside quotes, quotes kept, astral characters whole', () => {
  const pieces = fc.constantFrom(';', '"', 'a', ',', '=', ' ', 'branch=z9hG4bK', '\\', 'é', '😀', ';;');
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 24 }).map((xs) => xs.join('')), fc.constantFrom(';', ','), (v, sep) => {
      assert.deepEqual(splitOutsideQuotes(v, sep), splitOutsideQuotesByDefinition(v, sep));
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(parseVia('SIP/2.0/UDP h:5;branch=z9hG4bK1;x="a;b";rport')!.params, new Map([['branch', 'z9hG4bK1'], ['x', '"a;b"'], ['rport', '']]));
});
