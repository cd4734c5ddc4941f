// RFC 3261 grammar cases an outside probe found wrong (issue 18): a quoted display name may hold
// "<"; two different Content-Length values are a 400; a method no application handles is 501
// Not Implemented with Allow (RFC 3261 §21.5.2), not 503; methods are case-sensitive (§7.1), so
// "message" is an unknown method, not MESSAGE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startEdge } from './index';
import { connectSrf, waitFor } from './conformance/harness';

const SECRET = 'cymru';

function request(method: string, edgePort: number, port: number, n: number, opts: { from?: string; extra?: string; after?: string; cseqMethod?: string } = {}): string {
  const body = 'hi';
  return [
    `${method} sip:svc@127.0.0.1:${edgePort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-g${n}-${Math.random().toString(36).slice(2)};rport`,
    `From: ${opts.from ?? '<sip:raw@127.0.0.1>'};tag=g${n}`,
    'To: <sip:svc@127.0.0.1>',
    `Call-ID: grammar-${n}-${Math.random().toString(36).slice(2)}`,
    `CSeq: ${n} ${opts.cseqMethod ?? method}`,
    'Max-Forwards: 70',
    'Content-Type: text/plain',
    ...(opts.extra ? [opts.extra] : []),
    `Content-Length: ${body.length}`,
    ...(opts.after ? [opts.after] : []),
    '',
    body,
  ].join('\r\n');
}

test('edge grammar: quoted "<" in a display name, conflicting Content-Length, unknown and lower-case methods', async () => {
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret: SECRET } });
  const seen: Array<{ method: string; from: string }> = [];
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => {
    s.message((req: any, res: any) => { seen.push({ method: req.method, from: req.get('From') }); res.send(200); });
    s.options((_req: any, res: any) => res.send(200));
  });
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  const ask = async (text: string): Promise<string> => {
    const before = got.length;
    sock.send(Buffer.from(text), edge.sipAddress.port, '127.0.0.1');
    assert.ok(await waitFor(() => got.slice(before).some((g) => /^SIP\/2\.0 [2-6]/.test(g)), 5000), `no final answer to ${text.split('\r\n')[0]}`);
    return got.slice(before).find((g) => /^SIP\/2\.0 [2-6]/.test(g))!;
  };
  try {
    const edgePort = edge.sipAddress.port;
    const quoted = await ask(request('MESSAGE', edgePort, port, 1, { from: '"Bob <work>" <sip:bob@127.0.0.1>' }));
    assert.match(quoted, /^SIP\/2\.0 200 /, quoted);
    assert.equal(seen.length, 1);
    assert.match(seen[0].from, /^"Bob <work>" <sip:bob@127\.0\.0\.1>;tag=g1$/);

    for (const [n, two] of [[2, { extra: 'Content-Length: 7' }], [22, { after: 'l: 0' }]] as const) {
      const twoLengths = await ask(request('MESSAGE', edgePort, port, n, two));
      assert.match(twoLengths, /^SIP\/2\.0 400 /, twoLengths.split('\r\n')[0]);
    }
    // the same value twice is merely redundant
    assert.match(await ask(request('MESSAGE', edgePort, port, 3, { extra: 'Content-Length: 2' })), /^SIP\/2\.0 200 /);

    const unknown = await ask(request('FROB', edgePort, port, 4));
    assert.match(unknown, /^SIP\/2\.0 501 /, unknown.split('\r\n')[0]);
    const allow = /^Allow: (.*)$/m.exec(unknown)?.[1] ?? '';
    assert.deepEqual(allow.split(/\s*,\s*/).sort(), ['MESSAGE', 'OPTIONS'], unknown);

    const lower = await ask(request('message', edgePort, port, 5));
    assert.match(lower, /^SIP\/2\.0 501 /, lower.split('\r\n')[0]);
    assert.equal(seen.filter((s) => s.method.toUpperCase() === 'MESSAGE').length, 2, 'the lower-case request reached the MESSAGE handler');
  } finally {
    sock.close();
    srf.disconnect();
    await edge.close();
  }
});
