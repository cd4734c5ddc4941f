import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import test from 'node:test';
import { startEdge } from '../edge/index';
import { connectSrf } from '../edge/conformance/harness';
import { corkSrfSends, srfSockets } from './srf-cork';
import { countHandleWrites } from '../../e2e/support/socket-writes';


/** OPTIONS from one UDP peer, all sent at once; resolves with the answers' count once all came (or after 5 s) */
async function burst(edgePort: number, n: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  let answered = 0;
  const all = new Promise<void>((r) => {
    sock.on('message', () => { if (++answered === n) r(); });
    setTimeout(r, 5000);
  });
  for (let i = 0; i < n; i++) {
    const b = `z9hG4bKcork${i}x${port}`;
    sock.send(Buffer.from(`OPTIONS sip:svc@127.0.0.1:${edgePort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${b}\r\nFrom: <sip:a@127.0.0.1>;tag=t${i}\r\nTo: <sip:svc@127.0.0.1>\r\nCall-ID: ${b}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`), edgePort, '127.0.0.1');
  }
  await all;
  sock.close();
  return answered;
}

for (const corked of [true, false]) {
  test(`D-296: srf's answers to requests that reached it in one turn leave ${corked ? 'in one write per turn' : 'one write each, uncorked (the difference the corked case asserts)'}`, async () => {
    const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret: 's' } });
    // srf answers only once all the burst is in, so its answers are written in one turn
    const held: Array<() => void> = [];
    const N = 20;
    const srf = await connectSrf(edge.controlAddress, 's', (app) => app.options((_req: unknown, res: { send(code: number): void }) => {
      held.push(() => res.send(200));
      if (held.length === N) for (const f of held) f();
    }));
    try {
      if (corked) assert.equal(corkSrfSends(srf), true, 'srf internals are where this srf version keeps them');
      const [socket] = srfSockets(srf);
      assert.ok(socket, 'srf has a socket to the edge');
      const writes = countHandleWrites(socket);
      assert.equal(await burst(edge.sipAddress.port, N), N);
      if (corked) assert.ok(writes() <= 2, `${writes()} writes for ${N} answers`);
      else assert.equal(writes(), N);
    } finally {
      (srf as unknown as { disconnect(): void }).disconnect();
      await edge.close();
    }
  });
}
