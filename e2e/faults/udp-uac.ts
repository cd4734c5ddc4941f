// A minimal UDP client for fault tests: sends a request, retransmits it (same branch) every
// 500 ms like Timer E until a final response or a deadline, and returns the final status (0 when
// none came) with its Retry-After, if any. Each request gets its own Call-ID so answers can be
// matched.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

export interface UacAnswer {
  callId: string;
  status: number;
  retryAfter?: string;
}

export interface UdpUac {
  port: number;
  /** `cpmTag: false` leaves the CPM Accept-Contact out (a request no CPM handler matches) */
  message(o: { to: number; user: string; text: string; deadlineMs?: number; cpmTag?: boolean }): Promise<UacAnswer>;
  options(to: number, deadlineMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function udpUac(): Promise<UdpUac> {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const waiting = new Map<string, (status: number, retryAfter?: string) => void>();
  sock.on('message', (m) => {
    const text = m.toString('utf8');
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
    const callId = /\r\n(?:Call-ID|i)\s*:\s*(\S+)/i.exec(text)?.[1];
    const retryAfter = /\r\nRetry-After\s*:\s*([^\r\n]*)/i.exec(text)?.[1]?.trim();
    if (status >= 200 && callId) waiting.get(callId)?.(status, retryAfter);
  });
  const send = (build: (callId: string, branch: string) => string, to: number, deadlineMs: number) => {
    const callId = `${randomBytes(8).toString('hex')}@fault`;
    const data = Buffer.from(build(callId, `z9hG4bK${randomBytes(6).toString('hex')}`));
    return new Promise<UacAnswer>((resolve) => {
      const timer = setInterval(() => sock.send(data, to, '127.0.0.1'), 500);
      const stop = setTimeout(() => done(0), deadlineMs);
      const done = (status: number, retryAfter?: string) => {
        clearInterval(timer);
        clearTimeout(stop);
        waiting.delete(callId);
        resolve({ callId, status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
      };
      waiting.set(callId, done);
      sock.send(data, to, '127.0.0.1');
    });
  };
  return {
    port,
    message: ({ to, user, text, deadlineMs = 40_000, cpmTag = true }) =>
      send((callId, branch) => {
        const cpim = `From: <sip:bob@example.com>\r\nTo: <sip:${user}@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ${callId.split('@')[0]}\r\nDateTime: 2026-11-23T10:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\n${text}`;
        return [
          `MESSAGE sip:${user}@example.com SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport`,
          `From: <sip:bob@example.com>;tag=${callId.slice(0, 8)}`,
          `To: <sip:${user}@example.com>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 MESSAGE',
          'Max-Forwards: 70',
          ...(cpmTag ? ['Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"'] : []),
          'Content-Type: message/cpim',
          `Content-Length: ${Buffer.byteLength(cpim)}`,
          '',
          cpim,
        ].join('\r\n');
      }, to, deadlineMs),
    options: async (to, deadlineMs = 10_000) =>
      (
        await send((callId, branch) =>
          [`OPTIONS sip:127.0.0.1:${to} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport`, `From: <sip:probe@example.com>;tag=p1`, `To: <sip:127.0.0.1:${to}>`, `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'), to, deadlineMs)
      ).status,
    close: () => {
      // requests still unanswered end with status 0: their retransmissions must not outlive the socket
      for (const done of [...waiting.values()]) done(0);
      return new Promise<void>((r) => sock.close(() => r()));
    },
  };
}
