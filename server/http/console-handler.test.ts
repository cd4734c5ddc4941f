// The console's HTTP entry: a request whose Host or target cannot be parsed is answered 400 (it
// used to throw in the request listener and never be answered, issue 18), and a failing stage
// answers 500 instead of leaving the socket open.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { consoleRequestHandler } from './console-handler';

let server: Server;
let port = 0;
const seen: string[] = [];

before(async () => {
  server = createServer(consoleRequestHandler({
    gate: async (_req, res, url) => {
      seen.push(url.pathname);
      if (url.pathname === '/gate-throws') throw new Error('boom');
      if (url.pathname !== '/denied') return false;
      res.writeHead(401).end();
      return true;
    },
    api: async (_req, res, url) => {
      if (url.pathname !== '/api/x') return false;
      res.writeHead(200).end('api');
      return true;
    },
    render: (_req, res) => void res.writeHead(200).end('page'),
    log: () => {},
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    let out = '';
    s.setTimeout(5000, () => { s.destroy(); resolve(`timeout: ${out}`); });
    s.on('data', (d) => { out += d.toString('latin1'); if (out.includes('\r\n\r\n')) { s.destroy(); resolve(out); } });
    s.on('error', reject);
  });
}

test('console http: a request with an unparsable Host is answered 400, and the server keeps serving', async () => {
  for (const host of ['[', 'a b', '[::1', 'x:99999999']) {
    const r = await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.match(r, /^HTTP\/1\.1 400 /, `Host: ${host} → ${r.split('\r\n')[0]}`);
  }
  assert.match(await raw('GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
  assert.match(await raw('GET /denied HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 401 /);
  assert.match(await raw('GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
});

test('console http: a stage that throws is answered 500, not left hanging', async () => {
  assert.match(await raw('GET /gate-throws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 500 /);
});
