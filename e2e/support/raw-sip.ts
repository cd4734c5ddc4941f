// A SIP peer on a UDP socket that keeps every message as the bytes it received: for tests that
// compare bodies byte for byte (SIPp's scenarios are text). It registers, sends requests with any
// body, answers requests with a status of the test's choosing, and retransmits like Timer E.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Pf } from '../../server/pf';
import { startTestPf } from './test-pf';

export interface RawMessage {
  startLine: string;
  headers: Array<[string, string]>;
  body: Buffer;
  raw: Buffer;
}

export function parseRaw(raw: Buffer): RawMessage {
  const sep = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, sep < 0 ? raw.length : sep).toString('utf8');
  const [startLine, ...lines] = head.split('\r\n');
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]);
  const body = sep < 0 ? Buffer.alloc(0) : raw.subarray(sep + 4);
  return { startLine, headers, body, raw };
}

export function headerOf(m: RawMessage, name: string): string | undefined {
  return m.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

export interface RawPeer {
  port: number;
  /** every request received, in order */
  requests: RawMessage[];
  /** the status this peer answers requests with (200 unless a test changes it) */
  answer: (m: RawMessage) => number;
  /** called with each new request after it was answered */
  onRequest: (m: RawMessage) => void;
  register(pf: number, user: string, expires?: number): Promise<number>;
  request(pf: number, o: { method?: string; uri: string; from: string; to?: string; headers?: string[]; body?: Buffer; deadlineMs?: number }): Promise<RawMessage | undefined>;
  waitForRequests(n: number, ms?: number): Promise<RawMessage[]>;
  close(): Promise<void>;
}

export async function rawPeer(): Promise<RawPeer> {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const waiting = new Map<string, (m: RawMessage) => void>();
  let closed = false;
  const peer: RawPeer = {
    port,
    requests: [],
    answer: () => 200,
    onRequest: () => {},
    async register(pf, user, expires = 300) {
      const res = await peer.request(pf, {
        method: 'REGISTER', uri: 'sip:example.com', from: `sip:${user}@example.com`, to: `sip:${user}@example.com`,
        headers: [`Contact: <sip:${user}@127.0.0.1:${port}>;expires=${expires}`],
      });
      return res ? Number(res.startLine.split(' ')[1]) : 0;
    },
    request(pf, o) {
      const method = o.method ?? 'MESSAGE';
      const callId = `${randomBytes(8).toString('hex')}@raw`;
      const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
      const body = o.body ?? Buffer.alloc(0);
      const head = [
        `${method} ${o.uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport`,
        `From: <${o.from}>;tag=${callId.slice(0, 8)}`,
        `To: <${o.to ?? o.uri}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${method}`,
        'Max-Forwards: 70',
        ...(o.headers ?? []),
        `Content-Length: ${body.length}`,
        '',
        '',
      ].join('\r\n');
      const data = Buffer.concat([Buffer.from(head, 'utf8'), body]);
      return new Promise((resolve) => {
        const timer = setInterval(() => sock.send(data, pf, '127.0.0.1'), 500);
        const stop = setTimeout(() => done(undefined), o.deadlineMs ?? 10_000);
        const done = (m: RawMessage | undefined) => {
          clearInterval(timer);
          clearTimeout(stop);
          waiting.delete(callId);
          resolve(m);
        };
        waiting.set(callId, done);
        sock.send(data, pf, '127.0.0.1');
      });
    },
    async waitForRequests(n, ms = 10_000) {
      const end = Date.now() + ms;
      while (peer.requests.length < n) {
        if (Date.now() > end) throw new Error(`expected ${n} request(s), got ${peer.requests.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return peer.requests;
    },
    close: () => (closed ? Promise.resolve() : new Promise((r) => { closed = true; sock.close(() => r()); })),
  };
  sock.on('message', (buf, rinfo) => {
    const m = parseRaw(buf);
    if (m.startLine.startsWith('SIP/2.0 ')) {
      const status = Number(m.startLine.split(' ')[1]);
      const callId = headerOf(m, 'Call-ID') ?? headerOf(m, 'i');
      if (status >= 200 && callId) waiting.get(callId)?.(m);
      return;
    }
    const method = m.startLine.split(' ')[0];
    if (method === 'ACK') return;
    const via = m.headers.filter(([k]) => /^(via|v)$/i.test(k)).map(([, v]) => `Via: ${v}`);
    const copy = ['From', 'To', 'Call-ID', 'CSeq'].map((h) => `${h}: ${headerOf(m, h) ?? ''}${h === 'To' && !/tag=/.test(headerOf(m, h) ?? '') ? ';tag=raw' : ''}`);
    const branch = /branch=([^;,\s]+)/.exec(via[0] ?? '')?.[1];
    // A retransmission is answered again but recorded once.
    const fresh = !peer.requests.some((r) => /branch=([^;,\s]+)/.exec(headerOf(r, 'Via') ?? '')?.[1] === branch);
    if (fresh) peer.requests.push(m);
    const status = peer.answer(m);
    const res = [`SIP/2.0 ${status} ${status < 300 ? 'OK' : 'Refused'}`, ...via, ...copy, 'Content-Length: 0', '', ''].join('\r\n');
    sock.send(Buffer.from(res), rinfo.port, rinfo.address);
    if (fresh) peer.onRequest(m);
  });
  return peer;
}

/**
 * Runs `fn` against a fresh PF and `n` raw peers, and closes them all afterwards whatever
 * happened (the set-up every byte-level SIP test shares).
 */
export async function withPfAndPeers(n: number, fn: (pf: Pf, peers: RawPeer[]) => Promise<void>): Promise<void> {
  const pf = await startTestPf();
  const peers: RawPeer[] = [];
  try {
    for (let i = 0; i < n; i++) peers.push(await rawPeer());
    await fn(pf, peers);
  } finally {
    for (const p of peers) {
      p.onRequest = () => {};
      await p.close();
    }
    await pf.stop();
  }
}
