// The edge's reading of a request's top Via (RFC 3261 18.2.1, 17.2.3): the received/rport stamp,
// and the transaction key that absorbs a retransmission and matches a CANCEL to its INVITE. The
// edge parses the top Via once for all three (D-340); these hold what each must see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { SipUa, type ServerRequest } from './ua';
import { parseSipMessage } from './sip/message';
import type { Peer, Transport } from './transport';

class FakeTransport {
  address = { host: '127.0.0.1', port: 5060 };
  transports: Array<'udp' | 'tcp'> = ['udp'];
  sent: Array<{ peer: Peer; data: Buffer }> = [];
  onMessage(): void {}
  send(peer: Peer, data: Buffer): boolean { this.sent.push({ peer, data }); return true; }
}

const peer: Peer = { proto: 'udp', host: '10.0.0.9', port: 5071 };

function request(method: string, branch: string, viaHost = 'client.example:5070'): Buffer {
  return Buffer.from([
    `${method} sip:b@pf.example SIP/2.0`,
    `Via: SIP/2.0/UDP ${viaHost};branch=${branch};rport, SIP/2.0/UDP proxy.example;branch=z9hG4bKp`,
    'Max-Forwards: 70',
    'From: <sip:a@example.com>;tag=a1',
    'To: <sip:b@example.com>',
    'Call-ID: via-once@example.com',
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n'));
}

function edge() {
  const transport = new FakeTransport();
  const ua = new SipUa({ transport: transport as unknown as Transport, clock: new FakeClock() });
  const requests: ServerRequest[] = [];
  const cancelled: ServerRequest[] = [];
  ua.handlers = { request: (r) => requests.push(r), cancel: (invite) => cancelled.push(invite) };
  const statuses = () => transport.sent.map((s) => parseSipMessage(s.data)).map((m) => `${m.status} ${m.get('cseq')}`);
  return { ua, requests, cancelled, statuses };
}

test('the top Via is stamped with received and rport from the source; the Vias below it are left as sent', () => {
  const e = edge();
  e.ua.receive(request('MESSAGE', 'z9hG4bKm1'), peer);
  assert.equal(e.requests.length, 1);
  assert.deepEqual(e.requests[0].msg.getAll('via'), [
    'SIP/2.0/UDP client.example:5070;branch=z9hG4bKm1;rport=5071;received=10.0.0.9',
    'SIP/2.0/UDP proxy.example;branch=z9hG4bKp',
  ]);
  const local = edge();
  local.ua.receive(request('MESSAGE', 'z9hG4bKm2', '10.0.0.9:5071'), peer);
  assert.equal(local.requests[0].msg.getAll('via')[0], 'SIP/2.0/UDP 10.0.0.9:5071;branch=z9hG4bKm2;rport=5071', 'no received when the host is the source');
});

test('a retransmission (same top-Via branch and sent-by) is absorbed; another branch is a new request', () => {
  const e = edge();
  e.ua.receive(request('MESSAGE', 'z9hG4bKr1'), peer);
  e.ua.receive(request('MESSAGE', 'z9hG4bKr1'), peer);
  assert.equal(e.requests.length, 1);
  e.ua.receive(request('MESSAGE', 'z9hG4bKr1', 'other.example:5070'), peer);
  e.ua.receive(request('MESSAGE', 'z9hG4bKr2'), peer);
  assert.equal(e.requests.length, 3);
});

test('a CANCEL finds its INVITE by the top Via: 200 to the CANCEL, 487 to the INVITE; a CANCEL of another branch gets 481', () => {
  const e = edge();
  e.ua.receive(request('INVITE', 'z9hG4bKi1'), peer);
  e.ua.receive(request('CANCEL', 'z9hG4bKi9'), peer);
  assert.deepEqual(e.statuses(), ['100 1 INVITE', '481 1 CANCEL']);
  e.ua.receive(request('CANCEL', 'z9hG4bKi1'), peer);
  assert.equal(e.cancelled.length, 1);
  assert.deepEqual(e.statuses().slice(2), ['200 1 CANCEL', '487 1 INVITE']);
});
