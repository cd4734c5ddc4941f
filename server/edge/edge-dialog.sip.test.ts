// Raw-socket checks of stack behaviour SIPp scenarios do not pin down precisely: ACK timeout,
// 420, 481, TCP framing and keep-alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { startEdge, type Edge } from './index';
import { connectSrf, waitFor } from './conformance/harness';
import { parseSipMessage } from './sip/message';

const SECRET = 'cymru';
const SDP = 'v=0\r\no=edge 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

async function edgeWith(t1Ms = 50): Promise<Edge> {
  return startEdge({ sip: { host: '127.0.0.1', port: 0 }, control: { host: '127.0.0.1', port: 0, secret: SECRET }, timers: { t1Ms, t2Ms: 200, t4Ms: 250 } });
}

async function udpPeer() {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  return {
    port, got,
    send: (text: string, to: number) => sock.send(Buffer.from(text), to, '127.0.0.1'),
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

function invite(port: number, edgePort: number, extra: string[] = [], toTag = ''): string {
  return [
    `INVITE sip:svc@127.0.0.1:${edgePort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    `From: <sip:raw@127.0.0.1:${port}>;tag=f1`,
    `To: <sip:svc@127.0.0.1>${toTag}`,
    `Call-ID: ${Math.random().toString(36).slice(2)}@raw`,
    'CSeq: 1 INVITE',
    `Contact: <sip:raw@127.0.0.1:${port}>`,
    'Max-Forwards: 70',
    ...extra,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n');
}

test('INVITE: 100 Trying at once; no ACK for the 2xx -> BYE with Reason ACK timeout, unsolicited BYE to the app', async () => {
  const edge = await edgeWith(50);
  const peer = await udpPeer();
  let destroyReason = '';
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => s.invite(async (req, res) => {
    const d = await s.createUAS(req, res, { localSdp: SDP });
    d.on('destroy', (_m: unknown, reason: string) => { destroyReason = reason; });
  }));
  try {
    peer.send(invite(peer.port, edge.sipAddress.port), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 100 Trying')), 1000));
    assert.ok(await waitFor(() => peer.got.filter((g) => g.startsWith('SIP/2.0 200')).length >= 3, 2000), '2xx retransmitted');
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('BYE ')), 6000), 'BYE after 64*T1');
    const bye = parseSipMessage(Buffer.from(peer.got.find((g) => g.startsWith('BYE '))!));
    assert.equal(bye.get('reason'), 'SIP;cause=200;text="ACK timeout"');
    assert.match(bye.uri, /^sip:raw@127\.0\.0\.1:\d+$/, 'sent to the remote target (Contact)');
    assert.ok(await waitFor(() => destroyReason === 'ACK timeout', 2000), `app told: "${destroyReason}"`);
    assert.equal(edge.stats().dialogs, 0);
  } finally {
    srf.disconnect();
    await peer.close();
    await edge.close();
  }
});

test('420 for an unsupported Require; 481 for a request in an unknown dialog; ACK for non-2xx absorbed', async () => {
  const edge = await edgeWith(50);
  const peer = await udpPeer();
  let invites = 0;
  let acks = 0;
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => {
    s.invite((_q, r) => { invites++; r.send(486); });
    s.use((req, _res, next) => { if (req.method === 'ACK') acks++; next(); });
  });
  try {
    peer.send(invite(peer.port, edge.sipAddress.port, ['Require: foo, timer']), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 420')), 1000));
    assert.match(peer.got.find((g) => g.startsWith('SIP/2.0 420'))!, /Unsupported: foo\r\n/);
    peer.send(invite(peer.port, edge.sipAddress.port, [], ';tag=nope').replace(/INVITE/g, 'BYE'), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 481')), 1000));
    const inv = invite(peer.port, edge.sipAddress.port);
    peer.send(inv, edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 486')), 1000));
    const r486 = parseSipMessage(Buffer.from(peer.got.find((g) => g.startsWith('SIP/2.0 486'))!));
    const via = inv.split('\r\n')[1];
    const ack = [`ACK sip:svc@127.0.0.1:${edge.sipAddress.port} SIP/2.0`, via, r486.get('from') ? `From: ${r486.get('from')}` : '',
      `To: ${r486.get('to')}`, `Call-ID: ${r486.get('call-id')}`, 'CSeq: 1 ACK', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n');
    peer.send(ack, edge.sipAddress.port);
    const n486 = () => peer.got.filter((g) => g.startsWith('SIP/2.0 486')).length;
    const seen = n486();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(n486(), seen, 'the ACK stopped the 486 retransmissions');
    assert.equal(invites, 1, 'the 420 INVITE never reached the app');
    assert.equal(acks, 0, 'ACK for a non-2xx is absorbed by the stack');
  } finally {
    srf.disconnect();
    await peer.close();
    await edge.close();
  }
});

test('TCP: CRLF keep-alive answered; messages framed by Content-Length across chunks; responses on the same connection', async () => {
  const edge = await edgeWith(50);
  const bodies: string[] = [];
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => s.message((req, res) => { bodies.push(req.body); res.send(200); }));
  const sock = net.connect(edge.sipAddress.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let data = '';
  sock.on('data', (d) => { data += d.toString('utf8'); });
  try {
    sock.write('\r\n\r\n');
    assert.ok(await waitFor(() => data === '\r\n', 1000), 'pong');
    data = '';
    const mk = (n: number, body: string) => [
      `MESSAGE sip:svc@127.0.0.1:${edge.sipAddress.port};transport=tcp SIP/2.0`,
      `Via: SIP/2.0/TCP 127.0.0.1:${sock.localPort};branch=z9hG4bKtcp${n}`,
      `f: <sip:raw@127.0.0.1>;tag=t${n}`, 't: <sip:svc@127.0.0.1>', `i: tcp${n}@raw`, `CSeq: ${n} MESSAGE`,
      'c: text/plain;charset=UTF-8', `l: ${Buffer.byteLength(body)}`, '', body,
    ].join('\r\n');
    const both = Buffer.from(mk(1, 'ünïcode ✓ one') + mk(2, 'two 😀'), 'utf8');
    for (let i = 0; i < both.length; i += 7) sock.write(both.subarray(i, i + 7)); // split mid-character
    assert.ok(await waitFor(() => (data.match(/SIP\/2.0 200/g) ?? []).length === 2, 2000), data);
    assert.deepEqual(bodies, ['ünïcode ✓ one', 'two 😀']);
  } finally {
    sock.destroy();
    srf.disconnect();
    await edge.close();
  }
});

test('an app that disconnects with a pending INVITE: the caller gets 503 and the edge drains', async () => {
  const edge = await edgeWith(20);
  const peer = await udpPeer();
  let seen = 0;
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => s.invite(() => { seen++; }));
  try {
    peer.send(invite(peer.port, edge.sipAddress.port), edge.sipAddress.port);
    assert.ok(await waitFor(() => seen === 1, 1000));
    srf.disconnect();
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 503')), 2000), peer.got.join('\n'));
    assert.ok(await waitFor(() => edge.stats().apps === 0 && edge.stats().appTransactions === 0, 1000));
  } finally {
    await peer.close();
    await edge.close();
  }
});
