// RFC 3261 17 transaction timers A..K driven by a fake clock (plus RFC 6026 L and M).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { SipMessage } from './sip/message';
import {
  ClientInviteTxn, ClientNonInviteTxn, ServerInviteTxn, ServerNonInviteTxn, type TimerName, type TxnEnv,
} from './transaction';

const T1 = 500, T2 = 4000, T4 = 5000, TC = 180000;

function env() {
  const clock = new FakeClock();
  const fired: TimerName[] = [];
  const e: TxnEnv = { clock, timers: { t1: T1, t2: T2, t4: T4, timerC: TC }, onTimer: (_t, n) => fired.push(n) };
  return { clock, fired, e };
}

function request(method: string): SipMessage {
  const m = SipMessage.request(method, 'sip:b@127.0.0.1');
  m.add('Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc');
  m.add('From', '<sip:a@127.0.0.1>;tag=1');
  m.add('To', '<sip:b@127.0.0.1>');
  m.add('Call-ID', 'c1');
  m.add('CSeq', `1 ${method}`);
  return m;
}

function response(status: number, method = 'INVITE'): SipMessage {
  const r = SipMessage.response(status, 'X');
  r.add('Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc');
  r.add('To', '<sip:b@127.0.0.1>;tag=2');
  r.add('CSeq', `1 ${method}`);
  return r;
}

function recorder() {
  const sent: Array<{ at: number; m: SipMessage | Buffer }> = [];
  return { sent, send: (clock: FakeClock) => (m: SipMessage | Buffer) => sent.push({ at: clock.now(), m }) };
}

const bytesOf = (m: SipMessage | Buffer) => (Buffer.isBuffer(m) ? m : m.toBuffer());

test('Timer A: client INVITE retransmits at T1, 2T1, 4T1 ... (UDP only)', () => {
  const { clock, fired, e } = env();
  const r = recorder();
  const t = new ClientInviteTxn(e, 'k', request('INVITE'), false, r.send(clock), { onResponse() {}, onTimeout() {} });
  t.begin();
  clock.advance(7 * T1 + 1);
  assert.deepEqual(r.sent.map((s) => s.at), [0, T1, 3 * T1, 7 * T1]);
  assert.ok(fired.filter((f) => f === 'A').length === 3);
  const tcp = recorder();
  const t2 = new ClientInviteTxn(e, 'k2', request('INVITE'), true, tcp.send(clock), { onResponse() {}, onTimeout() {} });
  t2.begin();
  clock.advance(10 * T1);
  assert.equal(tcp.sent.length, 1, 'no retransmission over a reliable transport');
});

test('Timer B: client INVITE times out after 64*T1 without a response', () => {
  const { clock, e } = env();
  let timeouts = 0;
  const t = new ClientInviteTxn(e, 'k', request('INVITE'), false, () => {}, { onResponse() {}, onTimeout() { timeouts++; } });
  t.begin();
  clock.advance(64 * T1 - 1);
  assert.equal(timeouts, 0);
  clock.advance(1);
  assert.equal(timeouts, 1);
  assert.equal(t.state, 'terminated');
  assert.equal(clock.pending(), 0, 'every timer cleared');
});

test('Timer C: client INVITE stuck in Proceeding is given up after timer C', () => {
  const { clock, fired, e } = env();
  let timeouts = 0;
  const t = new ClientInviteTxn(e, 'k', request('INVITE'), false, () => {}, { onResponse() {}, onTimeout() { timeouts++; } });
  t.begin();
  t.receive(response(180));
  assert.equal(t.state, 'proceeding');
  clock.advance(64 * T1 + 1);
  assert.equal(timeouts, 0, 'Timer B no longer applies in Proceeding');
  clock.advance(TC);
  assert.equal(timeouts, 1);
  assert.ok(fired.includes('C'));
});

test('Timer D: non-2xx final is ACKed by the transaction; retransmitted finals re-ACKed until D', () => {
  const { clock, fired, e } = env();
  const r = recorder();
  const finals: number[] = [];
  const t = new ClientInviteTxn(e, 'k', request('INVITE'), false, r.send(clock), { onResponse(res) { finals.push(res.status); }, onTimeout() {} });
  t.begin();
  t.receive(response(486));
  const acks = () => r.sent.map((s) => s.m).filter((m): m is SipMessage => !Buffer.isBuffer(m) && m.isRequest && m.method === 'ACK').map((m) => ({ m }));
  assert.equal(acks().length, 1);
  assert.equal(acks()[0].m.get('cseq'), '1 ACK');
  assert.match(acks()[0].m.get('via')!, /branch=z9hG4bKabc/, 'ACK for non-2xx shares the INVITE branch');
  assert.match(acks()[0].m.get('to')!, /tag=2/);
  t.receive(response(486));
  assert.equal(acks().length, 2);
  assert.deepEqual(finals, [486], 'the retransmitted final is not passed up again');
  clock.advance(64 * T1);
  assert.equal(t.state, 'terminated');
  assert.ok(fired.includes('D'));
});

test('Timer E: client non-INVITE retransmits T1, 2T1, ... capped at T2; at T2 once Proceeding', () => {
  const { clock, e } = env();
  const r = recorder();
  const t = new ClientNonInviteTxn(e, 'k', request('MESSAGE'), false, r.send(clock), { onResponse() {}, onTimeout() {} });
  t.begin();
  clock.advance(T1 + 2 * T1 + 4 * T1 + T2 + T2); // 500, 1500, 3500, 7500, 11500
  assert.deepEqual(r.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500]);
  t.receive(response(100, 'MESSAGE'));
  const before = r.sent.length;
  clock.advance(T2);
  assert.equal(r.sent.length, before + 1);
  assert.equal(r.sent.at(-1)!.at - r.sent.at(-2)!.at, T2);
});

test('Timer F: client non-INVITE times out after 64*T1', () => {
  const { clock, e } = env();
  let timeouts = 0;
  const t = new ClientNonInviteTxn(e, 'k', request('MESSAGE'), false, () => {}, { onResponse() {}, onTimeout() { timeouts++; } });
  t.begin();
  clock.advance(64 * T1 - 1);
  assert.equal(timeouts, 0);
  clock.advance(1);
  assert.equal(timeouts, 1);
  assert.equal(t.state, 'terminated');
});

test('Timer G: server INVITE retransmits a non-2xx final at T1, 2T1 ... capped at T2', () => {
  const { clock, e } = env();
  const r = recorder();
  const t = new ServerInviteTxn(e, 'k', request('INVITE'), false, r.send(clock));
  t.respond(response(486));
  clock.advance(T1 + 2 * T1 + 4 * T1 + T2 + T2);
  assert.deepEqual(r.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500]);
  t.ack();
  const n = r.sent.length;
  clock.advance(T2 * 3);
  assert.equal(r.sent.length, n, 'the ACK stops Timer G');
});

test('Timer H: server INVITE gives up waiting for the ACK after 64*T1 (non-2xx and 2xx)', () => {
  const { clock, e } = env();
  let noAck = 0;
  const t = new ServerInviteTxn(e, 'k', request('INVITE'), false, () => {});
  t.onNoAck = () => noAck++;
  t.respond(response(486));
  clock.advance(64 * T1);
  assert.equal(noAck, 1);
  assert.equal(t.state, 'terminated');

  let ackTimeout = 0;
  const r = recorder();
  const t2 = new ServerInviteTxn(e, 'k2', request('INVITE'), false, r.send(clock));
  t2.onAckTimeout = () => ackTimeout++;
  t2.respond(response(200));
  clock.advance(64 * T1);
  assert.equal(ackTimeout, 1, 'no ACK for the 2xx: the UA core is told (it sends BYE)');
  assert.ok(r.sent.length > 5, '2xx retransmitted until then');
});

test('Timer I: Confirmed absorbs ACK retransmissions for T4, then terminates', () => {
  const { clock, fired, e } = env();
  const t = new ServerInviteTxn(e, 'k', request('INVITE'), false, () => {});
  t.respond(response(404));
  t.ack();
  assert.equal(t.state, 'confirmed');
  t.ack();
  clock.advance(T4 - 1);
  assert.equal(t.state, 'confirmed');
  clock.advance(1);
  assert.equal(t.state, 'terminated');
  assert.ok(fired.includes('I'));
});

test('Timer J: server non-INVITE keeps answering retransmissions for 64*T1 (UDP), 0 over TCP', () => {
  const { clock, e } = env();
  const r = recorder();
  const t = new ServerNonInviteTxn(e, 'k', request('MESSAGE'), false, r.send(clock));
  t.retransmission();
  assert.equal(r.sent.length, 0, 'absorbed while the TU has not answered');
  t.respond(response(200, 'MESSAGE'));
  t.retransmission();
  assert.equal(r.sent.length, 2, 'last response re-sent');
  assert.equal(t.respond(response(500, 'MESSAGE')), false, 'only one final');
  clock.advance(64 * T1 - 1);
  assert.equal(t.state, 'completed');
  clock.advance(1);
  assert.equal(t.state, 'terminated');
  const tcp = new ServerNonInviteTxn(e, 'k2', request('MESSAGE'), true, () => {});
  tcp.respond(response(200, 'MESSAGE'));
  assert.equal(tcp.state, 'terminated');
});

test('Timer J, D-291: a completed server non-INVITE over UDP keeps only its final response\'s bytes, re-sent unchanged; it no longer holds the request or the response message', () => {
  const { clock, e } = env();
  const r = recorder();
  const t = new ServerNonInviteTxn(e, 'k', request('MESSAGE'), false, r.send(clock));
  assert.equal(t.request.method, 'MESSAGE', 'the request is there until the final response');
  t.respond(response(100, 'MESSAGE'));
  t.retransmission();
  assert.equal((r.sent[1].m as SipMessage).status, 100, 'a provisional is re-sent while proceeding');
  const final = response(202, 'MESSAGE');
  t.respond(final);
  t.retransmission();
  t.retransmission();
  assert.equal(r.sent[2].m, final, 'the final response goes out as the message, for what watches messages sent');
  const finals = r.sent.slice(2).map((s) => bytesOf(s.m));
  assert.equal(finals.length, 3);
  for (const b of finals) assert.ok(b.equals(final.toBuffer()), 'the same bytes each time');
  assert.equal(t.lastResponse, undefined, 'the response message is released');
  assert.equal(t.finalStatus, 202);
  assert.throws(() => t.request, /released/, 'the request is released');
  clock.advance(64 * T1);
  assert.equal(t.state, 'terminated');
  // over TCP nothing is kept: the transaction ends with its final response
  const tcp = new ServerNonInviteTxn(e, 'k2', request('MESSAGE'), true, () => {});
  tcp.respond(response(200, 'MESSAGE'));
  assert.equal(tcp.state, 'terminated');
});

test('Timer J, D-300: the bytes a completed server non-INVITE keeps for 32 s own their memory, so they do not hold a shared 8 KB pool slab for that long', () => {
  const { clock, e } = env();
  const r = recorder();
  const t = new ServerNonInviteTxn(e, 'k', request('MESSAGE'), false, r.send(clock));
  t.respond(response(200, 'MESSAGE'));
  t.retransmission();
  const kept = r.sent.at(-1)!.m as Buffer;
  assert.ok(Buffer.isBuffer(kept));
  assert.equal(kept.byteOffset, 0);
  assert.equal(kept.buffer.byteLength, kept.byteLength, `a ${kept.byteLength}-byte response holds a ${kept.buffer.byteLength}-byte ArrayBuffer`);
});

test('Timer K, D-300: a completed client non-INVITE lets its request go (it only absorbs retransmitted finals until K)', () => {
  const { clock, e } = env();
  const t = new ClientNonInviteTxn(e, 'k', request('MESSAGE'), false, () => {}, { onResponse() {}, onTimeout() {} });
  t.begin();
  t.receive(response(100, 'MESSAGE'));
  assert.equal(t.request.method, 'MESSAGE', 'held while a retransmission may still be due');
  let seen: string | undefined;
  const t2 = new ClientNonInviteTxn(e, 'k2', request('MESSAGE'), false, () => {}, { onResponse() { seen = t2.request.method; }, onTimeout() {} });
  t2.begin();
  t2.receive(response(200, 'MESSAGE'));
  assert.equal(seen, 'MESSAGE', 'the final response\'s handler still reads the request');
  assert.throws(() => t2.request, /released/);
  clock.advance(T4);
  assert.equal(t2.state, 'terminated');
});

test('Timer K: client non-INVITE absorbs response retransmissions for T4', () => {
  const { clock, e } = env();
  const got: number[] = [];
  const t = new ClientNonInviteTxn(e, 'k', request('MESSAGE'), false, () => {}, { onResponse(r) { got.push(r.status); }, onTimeout() {} });
  t.begin();
  t.receive(response(200, 'MESSAGE'));
  t.receive(response(200, 'MESSAGE'));
  assert.deepEqual(got, [200]);
  clock.advance(T4 - 1);
  assert.equal(t.state, 'completed');
  clock.advance(1);
  assert.equal(t.state, 'terminated');
  assert.equal(clock.pending(), 0);
});

test('Timers L and M (RFC 6026): accepted INVITE transactions linger 64*T1 then end', () => {
  const { clock, e } = env();
  const s = new ServerInviteTxn(e, 's', request('INVITE'), false, () => {});
  s.respond(response(200));
  s.ack2xx();
  assert.equal(s.state, 'accepted');
  clock.advance(64 * T1);
  assert.equal(s.state, 'terminated');
  const got: number[] = [];
  const c = new ClientInviteTxn(e, 'c', request('INVITE'), false, () => {}, { onResponse(r) { got.push(r.status); }, onTimeout() {} });
  c.begin();
  c.receive(response(200));
  c.receive(response(200));
  assert.deepEqual(got, [200, 200], 'every 2xx goes to the TU, which re-ACKs it');
  clock.advance(64 * T1);
  assert.equal(c.state, 'terminated');
});
