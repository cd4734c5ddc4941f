// Fuzzing the parser and the edge's request path (SipUa.receive) with mutated SIP messages.
// Properties: nothing throws or hangs; a malformed request never reaches the application and is
// answered 400 (or dropped when it has no usable Via, as RFC 3261 allows); bad responses are
// dropped; every message the stack emits parses back cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { SipUa } from './ua';
import { parseSipMessage, SipParseError, type SipMessage } from './sip/message';
import { requestProblem } from './sip/validate';
import { parseVia } from './sip/headers';
import type { Peer, Transport } from './transport';

// Seeds written in the style of spec/EXAMPLES.md (CPM MESSAGE/CPIM, BYE with Reason, NOTIFY with
// conference-info) plus the stack's own everyday traffic.
const CPIM = [
  'From: <sip:+15551230001@ims.alpha.example>',
  'To: <sip:+15551230002@ims.beta.example>',
  'NS: imdn <urn:ietf:params:imdn>',
  'imdn.Message-ID: Msg7k2Qa9',
  'DateTime: 2015-11-10T10:15:00.000Z',
  'imdn.Disposition-Notification: positive-delivery, display',
  '',
  'Content-Type: text/plain;charset=UTF-8',
  'Content-Length: 12',
  '',
  'Héllo Bob ✓',
].join('\r\n');

function msg(lines: string[], body = ''): string {
  const b = Buffer.from(body, 'utf8');
  return [...lines, `Content-Length: ${b.length}`, '', body].join('\r\n');
}

const SEEDS: string[] = [
  msg([
    'MESSAGE sip:+15551230002@ims.beta.example SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKe1aa01',
    'Max-Forwards: 70',
    'From: <sip:+15551230001@ims.alpha.example>;tag=a1e1',
    'To: <sip:+15551230002@ims.beta.example>',
    'Call-ID: e1-0001@192.0.2.10',
    'CSeq: 1 MESSAGE',
    'P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg',
    'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"',
    'Conversation-ID: f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'Content-Type: message/cpim',
  ], CPIM),
  msg([
    'BYE sip:b2b-leg-cf@cpm-pf.alpha.example:5060;transport=tcp SIP/2.0',
    'Via: SIP/2.0/TCP cpm-cf.alpha.example:5060;branch=z9hG4bKe9410',
    'Max-Forwards: 70',
    'From: <sip:grp-7f3a91@cpm-cf.alpha.example>;tag=cf9921',
    'To: <sip:+15551230001@ims.alpha.example>;tag=pfcf1',
    'Call-ID: cfleg-1b2c@cpm-pf.alpha.example',
    'CSeq: 88 BYE',
    'Reason: SIP;cause=410;text="Gone"',
  ]),
  msg([
    'NOTIFY sip:pf@cpm-pf.alpha.example SIP/2.0',
    'v: SIP/2.0/UDP cpm-cf.alpha.example;branch=z9hG4bKn1, SIP/2.0/UDP 10.0.0.1:5080;branch=z9hG4bKn0',
    'f: <sip:grp-7f3a91@cpm-cf.alpha.example>;tag=cf1',
    't: <sip:pf@cpm-pf.alpha.example>;tag=pf1',
    'i: n1@cf',
    'CSeq: 3 NOTIFY',
    'o: conference',
    'Subscription-State: active;expires=3600',
    'c: application/conference-info+xml',
  ], '<?xml version="1.0"?><conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:grp@cf" state="partial" version="2"><users><user entity="sip:+15551230003@ims.alpha.example" state="deleted"/></users></conference-info>'),
  msg([
    'INVITE sip:svc@127.0.0.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKinv1;rport',
    'Max-Forwards: 70',
    'From: "Alice Ä" <sip:alice@127.0.0.1:5070>;tag=abc',
    'To: <sip:svc@127.0.0.1>',
    'Call-ID: inv1@127.0.0.1',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@127.0.0.1:5070>',
    'Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>',
    'Supported: timer, 100rel',
    'Content-Type: application/sdp',
  ], 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'),
  msg([
    'REGISTER sip:127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKreg1',
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=r1',
    'To: <sip:alice@127.0.0.1>',
    'Call-ID: reg1',
    'CSeq: 7 REGISTER',
    'm: <sip:alice@127.0.0.1:5070>;expires=600;+sip.instance="<urn:uuid:1>", <sip:alice@10.0.0.1>',
    'Expires: 600',
  ]),
  msg([
    'SUBSCRIBE sip:grp@cf SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKsub1',
    'From: <sip:pf@127.0.0.1>;tag=s1',
    'To: <sip:grp@cf>',
    'Call-ID: sub1',
    'CSeq: 1 SUBSCRIBE',
    'Event: conference',
    'Expires: 3600',
    'Require: eventlist',
  ]),
  msg([
    'OPTIONS sip:127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKopt1',
    'Max-Forwards: 0',
    'From: <sip:probe@127.0.0.1>;tag=o1',
    'To: <sip:127.0.0.1>',
    'Call-ID: opt1',
    'CSeq: 1 OPTIONS',
  ]),
  msg([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKresp1',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:b@127.0.0.1>;tag=2',
    'Call-ID: resp1',
    'CSeq: 1 MESSAGE',
  ]),
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = ['\r\n', '\n', '\r', ':', ';', ',', '<', '>', '"', '\\', '\0', ' ', '\t', '%', 'é', '✓', '\u{1F600}', '=', '@', '/',
  'SIP/2.0', 'z9hG4bK', 'tag=', 'Content-Length: 99999', 'Content-Length: -1', 'l: 3', '\r\n\r\n', 'CSeq: 1 FOO', 'Via:', 'To:', '99999999999'];

function mutate(seed: string, r: () => number): Buffer {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  let lines = seed.split('\r\n');
  let s: string;
  const ops = 1 + Math.floor(r() * 3);
  for (let i = 0; i < ops; i++) {
    const op = Math.floor(r() * 9);
    const idx = Math.floor(r() * lines.length);
    switch (op) {
      case 0: lines.splice(idx, 1); break; // drop a line
      case 1: lines.splice(idx, 0, lines[Math.floor(r() * lines.length)] ?? ''); break; // duplicate
      case 2: { // garble a header value
        const l = lines[idx] ?? '';
        const c = l.indexOf(':');
        lines[idx] = c > 0 ? l.slice(0, c + 1) + ' ' + pick(NASTY) + l.slice(c + 1 + Math.floor(r() * 5)) : pick(NASTY) + l;
        break;
      }
      case 3: { // insert nasty token at a random position in a line
        const l = lines[idx] ?? '';
        const p = Math.floor(r() * (l.length + 1));
        lines[idx] = l.slice(0, p) + pick(NASTY) + l.slice(p);
        break;
      }
      case 4: lines[idx] = (lines[idx] ?? '').toLowerCase(); break;
      case 5: lines = lines.slice(0, Math.max(1, idx)); break; // truncate
      case 6: { // swap two lines (start line may move)
        const j = Math.floor(r() * lines.length);
        [lines[idx], lines[j]] = [lines[j], lines[idx]];
        break;
      }
      case 7: lines[idx] = (lines[idx] ?? '').replace(/\d+/, String(Math.floor(r() * 3 ** 25))); break;
      default: lines[idx] = (lines[idx] ?? '').replace(/^(\S+):/, (_m, n: string) => (n.length > 1 ? n[0] : n) + ':'); // compact/shorten names
    }
  }
  s = lines.join(r() < 0.8 ? '\r\n' : '\n');
  const buf = Buffer.from(s, 'utf8');
  if (r() < 0.15) { // byte-level damage
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
  }
  return buf;
}

class FakeTransport {
  address = { host: '127.0.0.1', port: 5060 };
  transports: Array<'udp' | 'tcp'> = ['udp', 'tcp'];
  sent: Array<{ peer: Peer; data: Buffer }> = [];
  onMessage(): void {}
  send(peer: Peer, data: Buffer): boolean { this.sent.push({ peer, data }); return true; }
}

test('fuzz: 12,000 mutated SIP messages through the parser and the edge request path', () => {
  const seed = Number(process.env.EDGE_FUZZ_SEED ?? 20261123);
  const r = rng(seed);
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const ua = new SipUa({ transport: transport as unknown as Transport, clock, timers: { t1: 10 } });
  let delivered = 0;
  let deliveredMalformed = 0;
  ua.handlers = {
    request: (req) => {
      delivered++;
      if (requestProblem(req.msg)) deliveredMalformed++;
      if (req.msg.method !== 'ACK') ua.respondStatus(req, 200);
    },
  };
  const started = Date.now();
  const N = 12000;
  const outcomes = { valid: 0, malformedRequest: 0, answered400: 0, droppedNoVia: 0, droppedOther: 0 };
  for (let i = 0; i < N; i++) {
    const buf = mutate(SEEDS[i % SEEDS.length], r);
    // The parser alone: either a message or a SipParseError, nothing else.
    let parsed: SipMessage | undefined;
    let parseErr: SipParseError | undefined;
    try { parsed = parseSipMessage(buf); } catch (e) {
      if (!(e instanceof SipParseError)) throw new Error(`parser threw ${String(e)} on case ${i}`);
      parseErr = e;
    }
    const partial = parsed ?? parseErr?.partial;
    const malformedRequest = !!partial?.isRequest && (!!parseErr || !!requestProblem(partial));
    const before = transport.sent.length;
    const deliveredBefore = delivered;
    ua.receive(buf, { proto: i % 2 ? 'udp' : 'tcp', host: '127.0.0.1', port: 5070 });
    const out = transport.sent.slice(before).map((s) => parseSipMessage(s.data)); // emitted messages parse back
    if (!partial?.isRequest || partial.method === 'ACK') {
      outcomes.droppedOther++;
      if (parseErr || !parsed || partial?.method === 'ACK') assert.equal(delivered, deliveredBefore, `case ${i}: unparseable response/ACK reached the app`);
      continue;
    }
    if (malformedRequest) {
      outcomes.malformedRequest++;
      assert.equal(delivered, deliveredBefore, `case ${i}: malformed request delivered:\n${buf.toString('latin1')}`);
      if (out.length) {
        assert.equal(out.length, 1);
        assert.equal(out[0].status, 400, `case ${i}: malformed request answered ${out[0].status}`);
        outcomes.answered400++;
      } else {
        const usableVia = partial.getAll('via').some((v) => parseVia(v));
        assert.ok(!usableVia, `case ${i}: malformed request with a usable Via was dropped:\n${buf.toString('latin1')}`);
        outcomes.droppedNoVia++;
      }
    } else {
      outcomes.valid++;
      for (const o of out) assert.notEqual(o.status, 400, `case ${i}: valid request answered 400`);
    }
    if (i % 500 === 0) clock.advance(1000);
  }
  clock.advance(100000);
  const ms = Date.now() - started;
  assert.equal(deliveredMalformed, 0);
  assert.ok(outcomes.malformedRequest > 2000 && outcomes.valid > 1000, `mutations too tame or too wild: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.answered400 > 1000, JSON.stringify(outcomes));
  assert.equal(ua.stats().transactions, 0, 'every transaction ended once time passed');
  assert.ok(ms < 20000, `took ${ms} ms`);
  console.log(`fuzz seed=${seed} cases=${N} ${JSON.stringify(outcomes)} delivered=${delivered} in ${ms} ms`);
});
