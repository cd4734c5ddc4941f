import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { startEdge, type Edge } from './index';
import { connectSrf, freePort, scenario, sipp, waitFor, type SrfApp } from './conformance/harness';

const SECRET = 'cymru';
const T = { t1Ms: 100, t2Ms: 400, t4Ms: 500 };

async function withEdge<R>(fn: (edge: Edge) => Promise<R>, transports: Array<'udp' | 'tcp'> = ['udp', 'tcp']): Promise<R> {
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports }, control: { host: '127.0.0.1', port: 0, secret: SECRET }, timers: T });
  try {
    return await fn(edge);
  } finally {
    await edge.close();
  }
}

/** A raw UDP peer: send text, collect responses. */
async function udpPeer() {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  return {
    port,
    got,
    send(text: string, to: number) { sock.send(Buffer.from(text.replace(/\n/g, '\r\n')), to, '127.0.0.1'); },
    sendRaw(buf: Buffer, to: number) { sock.send(buf, to, '127.0.0.1'); },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

function req(method: string, port: number, edgePort: number, extra = '', branch = 'z9hG4bK' + Math.random().toString(36).slice(2), body = ''): string {
  const b = Buffer.from(body, 'utf8');
  return `${method} sip:svc@127.0.0.1:${edgePort} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport
From: <sip:raw@127.0.0.1:${port}>;tag=r1
To: <sip:svc@127.0.0.1>
Call-ID: ${branch}@raw
CSeq: 1 ${method}
Max-Forwards: 70
${extra}Content-Length: ${b.length}

${body}`;
}

function answerAll(srf: SrfApp, seen: Array<{ method: string; body: string; receivedOn?: string }>) {
  const h = (req: any, res: any) => {
    seen.push({ method: req.method, body: req.body, receivedOn: req.receivedOn });
    res.send(200, { headers: { 'X-Edge-Echo': 'ok' } });
  };
  srf.options(h);
  srf.register(h);
  srf.message(h);
}

for (const method of ['OPTIONS', 'REGISTER', 'MESSAGE']) {
  test(`edge UDP: SIPp UAC ${method} x20 answered 200 by a srf app`, async () => {
    await withEdge(async (edge) => {
      const seen: Array<{ method: string; body: string; receivedOn?: string }> = [];
      const srf = await connectSrf(edge.controlAddress, SECRET, (s) => answerAll(s, seen));
      try {
        const port = await freePort();
        const run = sipp(['-sf', scenario(`uac-${method.toLowerCase()}.xml`), '-s', 'svc',
          '-i', '127.0.0.1', '-p', String(port), '-m', '20', '-r', '50', '-t', 'u1',
          `127.0.0.1:${edge.sipAddress.port}`], 20000);
        const r = await run.done;
        assert.equal(r.code, 0, `sipp failed: ${r.stderr}\n${r.stdout.slice(-2000)}`);
        assert.equal(seen.length, 20);
        assert.ok(seen.every((s) => s.method === method));
        if (method === 'MESSAGE') assert.match(seen[0].body, /^héllo wörld ✓ \d+/);
        assert.equal(seen[0].receivedOn, `127.0.0.1:${edge.sipAddress.port}`);
      } finally {
        srf.disconnect();
      }
    });
  });
}

test('edge UDP: app sends MESSAGE (srf.request callback form) to a SIPp UAS', async () => {
  await withEdge(async (edge) => {
    const srf = await connectSrf(edge.controlAddress, SECRET);
    try {
      const port = await freePort();
      const run = sipp(['-sf', scenario('uas-message.xml'), '-i', '127.0.0.1', '-p', String(port), '-m', '5', '-t', 'u1'], 20000);
      await new Promise((r) => setTimeout(r, 300));
      const statuses: number[] = [];
      const echoes: string[] = [];
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve, reject) => {
          srf.request(`sip:uas@127.0.0.1:${port}`, {
            method: 'MESSAGE',
            headers: { 'Content-Type': 'text/plain;charset=UTF-8', From: '<sip:app@localhost>' },
            body: `héllo ${i}`,
          }, (err, req) => {
            if (err) { reject(err); return; }
            echoes.push(req.get('Call-ID'));
            req.on('response', (res: any) => { statuses.push(res.status); resolve(); });
          });
        });
      }
      const r = await run.done;
      assert.equal(r.code, 0, `sipp failed: ${r.stderr}\n${r.stdout.slice(-2000)}`);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
      assert.equal(new Set(echoes).size, 5, 'server fills a fresh Call-ID per request');
    } finally {
      srf.disconnect();
    }
  });
});

test('edge: retransmitted request reaches the app once; the last response is re-sent', async () => {
  await withEdge(async (edge) => {
    const seen: Array<{ method: string; body: string }> = [];
    let answer: (() => void) | undefined;
    const srf = await connectSrf(edge.controlAddress, SECRET, (s) => s.message((req, res) => {
      seen.push({ method: req.method, body: req.body });
      answer = () => res.send(202);
    }));
    const peer = await udpPeer();
    try {
      const text = req('MESSAGE', peer.port, edge.sipAddress.port, 'Content-Type: text/plain\n', 'z9hG4bKretrans1', 'x');
      peer.send(text, edge.sipAddress.port);
      assert.ok(await waitFor(() => seen.length === 1, 2000));
      peer.send(text, edge.sipAddress.port); // while the app is deciding: absorbed
      await new Promise((r) => setTimeout(r, 100));
      answer!();
      assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 202')), 2000));
      peer.send(text, edge.sipAddress.port); // after the final: the 202 again
      assert.ok(await waitFor(() => peer.got.filter((g) => g.startsWith('SIP/2.0 202')).length === 2, 2000));
      assert.equal(seen.length, 1);
      const res = peer.got.find((g) => g.startsWith('SIP/2.0 202'))!;
      assert.match(res, /Via: SIP\/2.0\/UDP 127.0.0.1:\d+;branch=z9hG4bKretrans1;rport=\d+/);
      assert.match(res, /To: <sip:svc@127.0.0.1>;tag=\w+/);
    } finally {
      srf.disconnect();
      await peer.close();
    }
  });
});

test('edge: 503 with no app connected, 501 + Allow when no app routes the method, 400 for malformed, 483 for Max-Forwards 0', async () => {
  await withEdge(async (edge) => {
    const peer = await udpPeer();
    peer.send(req('OPTIONS', peer.port, edge.sipAddress.port), edge.sipAddress.port);
    assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 503')), 2000), peer.got.join('\n'));
    peer.got.length = 0;
    const srf = await connectSrf(edge.controlAddress, SECRET, (s) => s.message((_q, r) => r.send(200)));
    try {
      peer.send(req('OPTIONS', peer.port, edge.sipAddress.port), edge.sipAddress.port);
      assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 501') && /\r\nAllow: MESSAGE\r\n/.test(g)), 2000), peer.got.join('\n'));
      peer.send(req('MESSAGE', peer.port, edge.sipAddress.port).replace('CSeq: 1 MESSAGE', 'CSeq: x MESSAGE'), edge.sipAddress.port);
      assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 400')), 2000), peer.got.join('\n'));
      peer.send(req('MESSAGE', peer.port, edge.sipAddress.port).replace('Max-Forwards: 70', 'Max-Forwards: 0'), edge.sipAddress.port);
      assert.ok(await waitFor(() => peer.got.some((g) => g.startsWith('SIP/2.0 483')), 2000), peer.got.join('\n'));
      peer.send(req('MESSAGE', peer.port, edge.sipAddress.port).replace(/Via: .*\r?\n/, ''), edge.sipAddress.port);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(peer.got.length, 3, 'a request without Via is dropped');
      assert.ok(edge.stats().dropped >= 1);
    } finally {
      srf.disconnect();
      await peer.close();
    }
  });
});

test('edge control: bad secret gets NO and the connection is dropped; good secret gets hostports', async () => {
  await withEdge(async (edge) => {
    const talk = (secret: string) => new Promise<{ data: string; closed: boolean }>((resolve) => {
      const s = net.connect(edge.controlAddress.port, '127.0.0.1');
      let data = '';
      let closed = false;
      s.on('data', (d) => { data += d; });
      s.on('close', () => { closed = true; resolve({ data, closed }); });
      s.on('connect', () => {
        const p = `abc|authenticate|${secret}|`;
        s.write(`${Buffer.byteLength(p)}#${p}`);
      });
      setTimeout(() => { s.destroy(); resolve({ data, closed }); }, 1000).unref();
    });
    const bad = await talk('wrong');
    assert.match(bad.data, /^\d+#[\w-]+\|response\|abc\|NO\|incorrect secret$/);
    assert.equal(bad.closed, true);
    const good = await talk(SECRET);
    const port = edge.sipAddress.port;
    assert.match(good.data, new RegExp(`\\|response\\|abc\\|OK\\|udp/127.0.0.1:${port},tcp/127.0.0.1:${port}\\|v\\d+\\.\\d+\\.\\d+[^|]*\\|udp/`));
  });
});
