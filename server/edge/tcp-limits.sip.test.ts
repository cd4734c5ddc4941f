// SIP over TCP under a connection flood (issue 18): connections are capped overall and per
// source, an unfinished message holds at most maxBufferBytes and is cut after headerTimeoutMs
// (slowloris), a silent connection is closed after idleTimeoutMs, and a legitimate client keeps
// being answered throughout. Memory is asserted as the bytes the edge holds for unfinished
// messages (bounded by the limits), not as RSS, which the test's own sockets share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEdge, type Edge } from './index';

const SECRET = 'cymru';

function options(port: number, n: number): string {
  return `OPTIONS sip:svc@127.0.0.1:${port};transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-legit-${n}\r\n` +
    `From: <sip:legit@127.0.0.1>;tag=l${n}\r\nTo: <sip:svc@127.0.0.1>\r\nCall-ID: legit-${n}\r\nCSeq: ${n} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
}

/** A client that counts the SIP responses and CRLF pongs it receives. */
async function client(port: number) {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  let text = '';
  s.on('data', (d) => (text += d.toString('latin1')));
  let closed = false;
  s.on('close', () => (closed = true));
  s.on('error', () => {});
  return {
    socket: s,
    get closed() { return closed; },
    responses: () => (text.match(/^SIP\/2\.0 \d{3}/gm) ?? []).length,
    async ask(n: number): Promise<void> {
      const before = (text.match(/^SIP\/2\.0 \d{3}/gm) ?? []).length;
      s.write(options(port, n));
      await until(() => (text.match(/^SIP\/2\.0 \d{3}/gm) ?? []).length > before, `an answer to OPTIONS #${n}`);
    },
  };
}

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens n connections (settled: connected or refused); each writes `first` if it connects. */
async function flood(port: number, n: number, first: string): Promise<net.Socket[]> {
  const socks: net.Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      socks.push(s);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.once('connect', () => { s.write(first); setTimeout(resolve, 5); });
    })));
  }
  return socks;
}

async function withEdge(tcp: Parameters<typeof startEdge>[0]['sip']['tcp'], fn: (edge: Edge) => Promise<void>): Promise<void> {
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['tcp'], tcp }, control: { host: '127.0.0.1', port: 0, secret: SECRET } });
  try {
    await fn(edge);
  } finally {
    await edge.close();
  }
}

test('edge TCP: 300 connections holding unfinished headers are capped per source, bounded in memory, cut when overdue; a legitimate client is served throughout', async () => {
  const limits = { maxConnections: 500, maxConnectionsPerSource: 60, headerTimeoutMs: 1500, idleTimeoutMs: 4000, maxBufferBytes: 16 * 1024 };
  await withEdge(limits, async (edge) => {
    const port = edge.sipAddress.port;
    const legit = await client(port);
    await legit.ask(1);
    // keep the legitimate connection alive with RFC 5626 pings while the flood goes on
    const ping = setInterval(() => legit.socket.write('\r\n\r\n'), 400);
    try {
      const head = `OPTIONS sip:svc@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-x\r\nX-Pad: ${'a'.repeat(2000)}`;
      const attackers = await flood(port, 300, head);
      // the flood's sockets settle on the client side first: wait until the edge has taken or
      // refused every one of them (the legitimate client included) before reading its counters
      await until(() => edge.stats().tcpConnections + edge.stats().tcpRefused >= 301, 'the edge to account for every connection');
      const held = edge.stats();
      assert.ok(held.tcpConnections <= limits.maxConnectionsPerSource, `${held.tcpConnections} connections held from one source`);
      assert.ok(held.tcpBuffered <= limits.maxConnectionsPerSource * limits.maxBufferBytes, `${held.tcpBuffered} bytes buffered`);
      assert.ok(held.tcpRefused >= 300 - limits.maxConnectionsPerSource, `${held.tcpRefused} refused`);
      // an unfinished message past the buffer bound closes its connection
      const open = attackers.filter((s) => !s.destroyed && s.readyState === 'open');
      const fat = open.slice(0, 5);
      for (const s of fat) s.write('b'.repeat(64 * 1024));
      await until(() => fat.every((s) => s.destroyed || s.readyState !== 'open'), 'the over-long messages to be cut');
      assert.ok(edge.stats().tcpBuffered <= limits.maxConnectionsPerSource * limits.maxBufferBytes);
      // the established client is still answered while the flood is held
      await legit.ask(2);
      // slowloris: one more byte now and then does not save an unfinished message
      const trickle = setInterval(() => { for (const s of open) if (!s.destroyed) s.write('a'); }, 200);
      try {
        await until(() => edge.stats().tcpConnections === 1, 'the overdue connections to be closed');
      } finally {
        clearInterval(trickle);
      }
      assert.equal(legit.closed, false);
      await legit.ask(3);
      // and a new client is accepted and served once the flood is gone
      const late = await client(port);
      await late.ask(4);
      late.socket.destroy();
      for (const s of attackers) s.destroy();
    } finally {
      clearInterval(ping);
      legit.socket.destroy();
    }
  });
});

test('edge TCP: the overall cap holds; a silent connection is closed after the idle timeout', async () => {
  const limits = { maxConnections: 30, maxConnectionsPerSource: 1000, headerTimeoutMs: 60_000, idleTimeoutMs: 1000, maxBufferBytes: 16 * 1024 };
  await withEdge(limits, async (edge) => {
    const port = edge.sipAddress.port;
    const idle = await flood(port, 100, '');
    assert.ok(edge.stats().tcpConnections <= 30, `${edge.stats().tcpConnections} connections held`);
    await until(() => edge.stats().tcpConnections === 0, 'the idle connections to be closed');
    const c = await client(port);
    await c.ask(1);
    c.socket.destroy();
    for (const s of idle) s.destroy();
  });
});

test('edge TCP: two different Content-Length values on a stream close the connection (it cannot be framed)', async () => {
  await withEdge({}, async (edge) => {
    const port = edge.sipAddress.port;
    const c = await client(port);
    c.socket.write(options(port, 1).replace('Content-Length: 0\r\n', 'Content-Length: 0\r\nContent-Length: 5\r\n'));
    await until(() => c.closed, 'the connection to be closed');
    assert.equal(c.responses(), 0);
  });
});
