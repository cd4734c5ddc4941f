// The trust middleware in front of a srf app over the embedded edge and real UDP: rate limiting,
// message size, loops (own Via, merged requests), Max-Forwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { connectSrf, waitFor, type SrfApp } from '../../edge/conformance/harness';
import { startEdge, type Edge } from '../../edge/index';
import { sipTrust, type TrustMiddleware, type TrustOptions } from './sip-trust';

const SECRET = 'trust-test';

async function withTrustedApp(opts: Partial<TrustOptions>, fn: (edge: Edge, peer: Awaited<ReturnType<typeof udpPeer>>, trust: TrustMiddleware) => Promise<void>): Promise<void> {
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret: SECRET } });
  let srf: SrfApp | undefined;
  const peer = await udpPeer();
  const trust = sipTrust({ rate: 0, burst: 1, maxMessageBytes: 65535, self: () => [edge.sipAddress], ...opts });
  try {
    srf = await connectSrf(edge.controlAddress, SECRET, (app) => {
      (app as unknown as { use(h: unknown): void }).use(trust);
      app.message((_req: unknown, res: { send(s: number): void }) => res.send(200));
    });
    await fn(edge, peer, trust);
  } finally {
    srf?.disconnect();
    await peer.close();
    await edge.close();
  }
}

async function udpPeer() {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  return {
    port,
    got,
    send: (text: string, to: number) => sock.send(Buffer.from(text), to, '127.0.0.1'),
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

function message(o: { from: number; to: number; callId?: string; branch?: string; extraVia?: string; body?: string; maxForwards?: number }): string {
  const body = Buffer.from(o.body ?? 'hi');
  const branch = o.branch ?? `z9hG4bK${Math.random().toString(36).slice(2)}`;
  return [
    `MESSAGE sip:alice@127.0.0.1:${o.to} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.from};branch=${branch};rport`,
    ...(o.extraVia ? [`Via: ${o.extraVia}`] : []),
    `From: <sip:bob@example.com>;tag=f1`,
    `To: <sip:alice@example.com>`,
    `Call-ID: ${o.callId ?? branch}@trust`,
    'CSeq: 1 MESSAGE',
    `Max-Forwards: ${o.maxForwards ?? 70}`,
    'Content-Type: text/plain',
    `Content-Length: ${body.length}`,
    '',
    body.toString(),
  ].join('\r\n');
}

const statuses = (got: string[]) => got.map((g) => Number(/^SIP\/2\.0 (\d{3})/.exec(g)?.[1]));

test('SIP trust: one source beyond its rate gets 503 with Retry-After, the rest 200', async () => {
  await withTrustedApp({ rate: 5, burst: 5 }, async (edge, peer) => {
    for (let i = 0; i < 12; i++) peer.send(message({ from: peer.port, to: edge.sipAddress.port }), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.length >= 12, 10_000), `answers: ${statuses(peer.got)}`);
    const s = statuses(peer.got);
    assert.ok(s.filter((x) => x === 200).length >= 5 && s.filter((x) => x === 200).length <= 7, `statuses ${s}`);
    assert.ok(s.filter((x) => x === 503).length >= 5, `statuses ${s}`);
    const limited = peer.got.find((g) => g.startsWith('SIP/2.0 503'))!;
    assert.match(limited, /\r\nRetry-After: *[1-9]\d*\r\n/i);
  });
});

test('SIP trust: a message above the size limit is answered 513', async () => {
  await withTrustedApp({ maxMessageBytes: 2048 }, async (edge, peer) => {
    peer.send(message({ from: peer.port, to: edge.sipAddress.port, body: 'x'.repeat(3000) }), edge.sipAddress.port);
    peer.send(message({ from: peer.port, to: edge.sipAddress.port, body: 'x'.repeat(100) }), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.length >= 2, 10_000));
    assert.deepEqual(statuses(peer.got).sort(), [200, 513]);
  });
});

test('SIP trust: 482 for a request that already passed this PF (own Via) and for a merged request; 483 at Max-Forwards 0', async () => {
  await withTrustedApp({}, async (edge, peer) => {
    const to = edge.sipAddress.port;
    peer.send(message({ from: peer.port, to, extraVia: `SIP/2.0/UDP 127.0.0.1:${to};branch=z9hG4bKours` }), to);
    assert.ok(await waitFor(() => peer.got.length >= 1, 10_000));
    assert.deepEqual(statuses(peer.got), [482]);
    // the same request reaching us by two paths: same Call-ID, From tag and CSeq, other branch
    peer.send(message({ from: peer.port, to, callId: 'merged', branch: 'z9hG4bKpath1' }), to);
    assert.ok(await waitFor(() => peer.got.length >= 2, 10_000));
    peer.send(message({ from: peer.port, to, callId: 'merged', branch: 'z9hG4bKpath2' }), to);
    assert.ok(await waitFor(() => peer.got.length >= 3, 10_000));
    peer.send(message({ from: peer.port, to, maxForwards: 0 }), to);
    assert.ok(await waitFor(() => peer.got.length >= 4, 10_000));
    assert.deepEqual(statuses(peer.got), [482, 200, 482, 483]);
  });
});

test('SIP trust: with an external drachtio-server the overload verdict is applied here: 503 + Retry-After for new work, in-dialog requests pass, refusals counted by reason (D-332)', async () => {
  const asked: Array<{ method: string; inDialog: boolean }> = [];
  const overload = (req: { method: string; inDialog: boolean }) => {
    asked.push(req);
    return req.inDialog ? { admit: true as const } : { admit: false as const, status: 503 as const, reason: 'pending' as const, retryAfterSec: 3 };
  };
  await withTrustedApp({ overload }, async (edge, peer, trust) => {
    peer.send(message({ from: peer.port, to: edge.sipAddress.port }), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.length >= 1, 10_000));
    assert.deepEqual(statuses(peer.got), [503]);
    assert.match(peer.got[0], /\r\nRetry-After: *3\r\n/i);
    assert.deepEqual(asked, [{ method: 'MESSAGE', inDialog: false }]);
    // D-332: counted under the verdict's reason, what /metrics reports with an external drachtio-server
    assert.deepEqual(trust.counters.overloadedBy, { pending: 1 });
  });
});
