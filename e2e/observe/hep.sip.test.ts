// HEP capture (issue 19): with HEP_URL set, every SIP message the PF receives or sends reaches a
// Homer collector as a HEP3 packet carrying the message's exact bytes, its addresses and ports,
// the time it crossed the edge and its Call-ID. The collector here is a socket that decodes HEP.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { test } from 'node:test';
import { nowUs } from '../../server/capture/wire';
import { decodeHep, hepStream, type DecodedHep } from '../support/hep-decode';
import { parseExposition, valueOf } from '../support/prom-text';
import { startTestPf } from '../support/test-pf';
import { wirePeer, type WirePeer } from '../support/wire-peer';

async function collector(proto: 'udp' | 'tcp'): Promise<{ port: number; packets: DecodedHep[]; close(): Promise<void> }> {
  const packets: DecodedHep[] = [];
  if (proto === 'udp') {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (b) => packets.push(decodeHep(b)));
    const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
    return { port, packets, close: () => new Promise((r) => sock.close(() => r())) };
  }
  const conns: net.Socket[] = [];
  const srv = net.createServer((s) => {
    conns.push(s);
    s.on('data', hepStream((p) => packets.push(decodeHep(p))));
  });
  const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  return { port, packets, close: () => new Promise((r) => { for (const c of conns) c.destroy(); srv.close(() => r()); }) };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

/** Each message a peer sent or received appears once in the capture, in the right direction, with its bytes. */
function assertCaptured(packets: DecodedHep[], peers: WirePeer[], pfPort: number, from: number, to: number, instance: string): void {
  const wire = peers.flatMap((p) => p.wire.map((w) => ({ ...w, peer: p.port })));
  assert.equal(packets.length, wire.length, 'one HEP packet per SIP message on the wire');
  for (const w of wire) {
    const match = packets.filter((h) => h.payload.equals(w.bytes));
    assert.equal(match.length, 1, `captured once: ${w.bytes.toString('latin1').split('\r\n')[0]}`);
    const h = match[0];
    // the peer sent it: it went from the peer to the PF; the peer received it: from the PF
    const [src, dst] = w.direction === 'out' ? [w.peer, pfPort] : [pfPort, w.peer];
    assert.deepEqual([h.src, h.dst], [{ host: '127.0.0.1', port: src }, { host: '127.0.0.1', port: dst }]);
    assert.deepEqual([h.family, h.protocol, h.protocolType, h.captureId, h.nodeName], [2, 17, 1, 2001, instance]);
    assert.equal(h.correlationId, w.callId);
    const at = h.timeSec * 1e6 + h.timeUsec;
    assert.ok(at >= from && at <= to, `its time ${at} is within the test (${from}…${to})`);
  }
}

// UDP with the edge on the main thread and on its own (D-285: the exporter runs there)
for (const [proto, edgeThread] of [['udp', 'off'], ['tcp', 'off'], ['udp', 'on']] as const) {
  test(`issue 19 HEP over ${proto} (edge thread ${edgeThread}): every SIP message in and out reaches the collector with its bytes, addresses, ports, time and Call-ID`, async () => {
    const homer = await collector(proto);
    const pf = await startTestPf({ HEP_URL: `${proto}://127.0.0.1:${homer.port}`, PF_INSTANCE: 'pf-under-test', PF_EDGE_THREAD: edgeThread });
    const alice = await wirePeer('alice');
    const bob = await wirePeer('bob');
    try {
      const from = nowUs();
      const port = pf.sipAddress.port;
      assert.equal(await alice.register(port), 200);
      assert.equal(await bob.register(port), 200);
      const m = await bob.request(port, { method: 'MESSAGE', uri: 'sip:alice@example.com', headers: ['Content-Type: text/plain; charset=utf-8'], body: 'grüße über HEP' });
      assert.equal(m.status, 200);
      const total = () => alice.wire.length + bob.wire.length;
      await waitFor(() => homer.packets.length >= total(), `${total()} packets at the collector, got ${homer.packets.length}`);
      const to = nowUs();
      assertCaptured(homer.packets, [alice, bob], port, from, to, 'pf-under-test');
      assert.ok(homer.packets.some((h) => h.correlationId === m.callId && h.payload.includes(Buffer.from('grüße über HEP'))), 'the UTF-8 body arrived intact');
      // the metrics count what was sent
      const samples = parseExposition(await pf.metrics.exposition());
      assert.equal(valueOf(samples, 'pf_hep_packets_total', { result: 'sent' }), homer.packets.length);
      assert.equal(valueOf(samples, 'pf_hep_packets_total', { result: 'dropped' }), 0);
    } finally {
      await alice.close();
      await bob.close();
      await pf.stop();
      await homer.close();
    }
  });
}
