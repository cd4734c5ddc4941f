// A UDP SIP endpoint that keeps every datagram it sent and received, retransmissions included,
// so a test can compare the PF's own counts of the wire with what the other end saw. It answers
// every request (a retransmission again) with 200, and sends requests once, waiting for the
// final answer: on loopback nothing is lost, and the PF's retransmissions are counted, not timed.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { sipHead, type SipHead } from '../../server/capture/sip-head';

export interface WireRecord extends SipHead {
  direction: 'in' | 'out';
  bytes: Buffer;
}

export interface WirePeer {
  port: number;
  user: string;
  wire: WireRecord[];
  /** sends a request and resolves with its final response (throws after `ms`) */
  request(pfPort: number, o: { method: string; uri: string; to?: string; headers?: string[]; body?: string; ms?: number }): Promise<{ status: number; callId: string }>;
  register(pfPort: number): Promise<number>;
  /** how many messages went this way with this method (and status, for responses) */
  count(direction: 'in' | 'out', method: string, status?: number): number;
  close(): Promise<void>;
}

const hex = (n: number) => randomBytes(n).toString('hex');

export async function wirePeer(user: string, domain = 'example.com'): Promise<WirePeer> {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const wire: WireRecord[] = [];
  const finals = new Map<string, (status: number) => void>();
  const send = (bytes: Buffer, to: number, host = '127.0.0.1') => {
    wire.push({ direction: 'out', bytes, ...sipHead(bytes) });
    sock.send(bytes, to, host);
  };
  sock.on('message', (bytes, rinfo) => {
    const head = sipHead(bytes);
    wire.push({ direction: 'in', bytes, ...head });
    if (head.kind === 'response') {
      if (head.status! >= 200 && head.callId) finals.get(head.callId)?.(head.status!);
      return;
    }
    if (head.kind !== 'request' || head.method === 'ACK') return;
    // echo Via, From, To (with a tag), Call-ID and CSeq
    const text = bytes.toString('latin1');
    const lines = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').slice(1);
    const keep = lines.filter((l) => /^(via|v|from|f|call-id|i|cseq)\s*:/i.test(l));
    const to = lines.find((l) => /^(to|t)\s*:/i.test(l)) ?? 'To: <sip:unknown>';
    const res = ['SIP/2.0 200 OK', ...keep, /tag=/.test(to) ? to : `${to};tag=${user}`, 'Content-Length: 0', '', ''].join('\r\n');
    send(Buffer.from(res, 'latin1'), rinfo.port, rinfo.address);
  });
  const peer: WirePeer = {
    port,
    user,
    wire,
    request(pfPort, o) {
      const callId = `${hex(8)}@wire-peer`;
      const body = Buffer.from(o.body ?? '');
      const head = [
        `${o.method} ${o.uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${hex(6)};rport`,
        `From: <sip:${user}@${domain}>;tag=${hex(4)}`,
        `To: <${o.to ?? o.uri}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${o.method}`,
        'Max-Forwards: 70',
        ...(o.headers ?? []),
        `Content-Length: ${body.length}`,
        '',
        '',
      ].join('\r\n');
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no final answer to ${o.method} ${callId} within ${o.ms ?? 10_000} ms`)), o.ms ?? 10_000);
        finals.set(callId, (status) => {
          clearTimeout(timer);
          finals.delete(callId);
          resolve({ status, callId });
        });
        send(Buffer.concat([Buffer.from(head, 'latin1'), body]), pfPort);
      });
    },
    async register(pfPort) {
      const aor = `sip:${user}@${domain}`;
      const r = await peer.request(pfPort, { method: 'REGISTER', uri: `sip:${domain}`, to: aor, headers: [`Contact: <sip:${user}@127.0.0.1:${port}>;expires=300`] });
      return r.status;
    },
    count(direction, method, status) {
      return wire.filter((w) => w.direction === direction && w.method === method && (status === undefined ? w.kind === 'request' : w.kind === 'response' && w.status === status)).length;
    },
    close: () => new Promise((r) => sock.close(() => r())),
  };
  return peer;
}
