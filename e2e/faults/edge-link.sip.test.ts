// The connection between the SIP edge and drachtio-srf drops (a TCP proxy in between cuts it).
// Requests the app had not answered get 503 from the edge; srf connects again by itself and new
// requests are served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEdge } from '../../server/edge';
import { startTestPf } from '../support/test-pf';
import { udpUac } from './udp-uac';

function cuttableProxy(to: { host: string; port: number }) {
  const pairs = new Set<net.Socket>();
  const server = net.createServer((a) => {
    const b = net.connect(to.port, to.host);
    for (const s of [a, b]) {
      pairs.add(s);
      s.on('close', () => pairs.delete(s));
      s.on('error', () => undefined);
    }
    a.pipe(b).pipe(a);
  });
  return {
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port))),
    cut: () => pairs.forEach((s) => s.destroy()),
    connections: () => pairs.size / 2,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('fault: the edge-to-srf connection drops; srf reconnects and new requests are served', async () => {
  const secret = 'fault-link';
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret } });
  const proxy = cuttableProxy(edge.controlAddress);
  const proxyPort = await proxy.listen();
  const pf = await startTestPf({ DRACHTIO_HOST: '127.0.0.1', DRACHTIO_PORT: String(proxyPort), DRACHTIO_SECRET: secret, SIP_PORT: String(edge.sipAddress.port) });
  const uac = await udpUac();
  const servedWithin = async (ms: number) => {
    let status = 0;
    for (const end = Date.now() + ms; status !== 200 && Date.now() < end; ) {
      status = await uac.options(edge.sipAddress.port, 2000);
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    return status;
  };
  try {
    // srf announces its routes just after connecting
    assert.equal(await servedWithin(10_000), 200);
    proxy.cut();
    // while srf is away the edge has no app: it answers 503 rather than leaving the request open
    const meanwhile = await uac.options(edge.sipAddress.port);
    assert.ok(meanwhile === 503 || meanwhile === 200, `OPTIONS during the drop: ${meanwhile}`);
    assert.equal(await servedWithin(20_000), 200, 'srf did not reconnect within 20 s');
    assert.equal(proxy.connections(), 1);
    assert.equal(await uac.message({ to: edge.sipAddress.port, user: 'alice', text: 'after the drop' }).then((m) => m.status), 480);
  } finally {
    await uac.close();
    await pf.stop();
    await proxy.close();
    await edge.close();
  }
});
