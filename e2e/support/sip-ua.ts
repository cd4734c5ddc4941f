// A small SIP user agent on UDP for tests whose SIP side must be driven step by step from the
// test (SIPp runs a script to its end): it registers, sends an INVITE and ACKs its 2xx, holds the
// dialog to send BYE later, and answers an INVITE it receives with the SDP the test gives (200,
// repeated until ACKed). Every request it receives is answered (200 unless `answer` says other)
// and kept. Built on the raw parser of raw-sip.ts.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { headerOf, parseRaw, type RawMessage } from './raw-sip';

export interface UaDialog {
  callId: string;
  localUri: string;
  localTag: string;
  remoteUri: string;
  remoteTag: string;
  remoteTarget: string;
  cseq: number;
}

export interface InviteResult {
  status: number;
  response: RawMessage;
  /** the SDP body of the final response */
  sdp: string;
  dialog?: UaDialog;
}

const hex = (n: number) => randomBytes(n).toString('hex');

export class SipUa {
  /** every request received, in order (retransmissions once) */
  readonly requests: RawMessage[] = [];
  /** the status this UA answers a request with */
  answer: (m: RawMessage) => number = () => 200;
  /** the SDP this UA answers an INVITE with (a 2xx); undefined: no body */
  answerSdp: (m: RawMessage) => string | undefined = () => undefined;
  /** dialogs this UA accepted (INVITEs it answered 2xx), by Call-ID */
  readonly accepted = new Map<string, UaDialog>();
  private readonly waiting = new Map<string, (m: RawMessage) => void>();
  private readonly unacked = new Map<string, NodeJS.Timeout>();
  private readonly answered = new Map<string, Buffer>();

  private constructor(private readonly sock: dgram.Socket, readonly port: number, readonly user: string) {
    sock.on('message', (buf, rinfo) => this.onMessage(parseRaw(buf), rinfo));
  }

  static async start(user: string): Promise<SipUa> {
    const sock = dgram.createSocket('udp4');
    const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
    return new SipUa(sock, port, user);
  }

  get contact(): string {
    return `sip:${this.user}@127.0.0.1:${this.port}`;
  }

  async register(pfPort: number, aor: string, contactParams = '', headers: string[] = []): Promise<number> {
    const r = await this.transaction(pfPort, { method: 'REGISTER', uri: `sip:${aor.split('@')[1]}`, from: aor, to: aor, headers: [`Contact: <${this.contact}>;expires=300${contactParams}`, ...headers] });
    return r ? status(r) : 0;
  }

  /** Sends an INVITE, waits for its final answer and ACKs a 2xx. */
  /** `contact`: the Contact header's value (default this UA's own URI), e.g. a focus with ;isfocus */
  async invite(pfPort: number, o: { uri: string; from: string; to?: string; contact?: string; headers?: string[]; sdp: string }): Promise<InviteResult> {
    const callId = `${hex(8)}@ua`;
    const localTag = hex(4);
    const r = await this.transaction(pfPort, {
      method: 'INVITE', uri: o.uri, from: o.from, to: o.to ?? o.uri, callId, localTag,
      headers: [`Contact: ${o.contact ?? `<${this.contact}>`}`, 'Content-Type: application/sdp', ...(o.headers ?? [])], body: Buffer.from(o.sdp),
    });
    if (!r) throw new Error('no final answer to the INVITE');
    const code = status(r);
    const result: InviteResult = { status: code, response: r, sdp: r.body.toString('utf8') };
    if (code >= 200 && code < 300) {
      const remoteTag = /tag=([^;>\s]+)/.exec(headerOf(r, 'To') ?? '')?.[1] ?? '';
      const target = /<([^>]+)>/.exec(headerOf(r, 'Contact') ?? '')?.[1] ?? o.uri;
      const dialog: UaDialog = { callId, localUri: o.from, localTag, remoteUri: o.to ?? o.uri, remoteTag, remoteTarget: target, cseq: 1 };
      this.sendTo(pfPort, this.build('ACK', target, dialog, 1, [], Buffer.alloc(0), `z9hG4bK${hex(6)}`));
      result.dialog = dialog;
    }
    return result;
  }

  /** An in-dialog request (BYE, MESSAGE) on a dialog this UA started; resolves with the final status. */
  async inDialog(pfPort: number, d: UaDialog, method: string, headers: string[] = [], body = Buffer.alloc(0)): Promise<number> {
    d.cseq += 1;
    const r = await this.transaction(pfPort, { method, uri: d.remoteTarget, from: d.localUri, to: d.remoteUri, callId: d.callId, localTag: d.localTag, remoteTag: d.remoteTag, cseq: d.cseq, headers, body });
    return r ? status(r) : 0;
  }

  async waitFor(method: string, n = 1, ms = 10_000): Promise<RawMessage[]> {
    const end = Date.now() + ms;
    for (;;) {
      const got = this.requests.filter((m) => m.startLine.startsWith(`${method} `));
      if (got.length >= n) return got;
      if (Date.now() > end) throw new Error(`${this.user}: expected ${n} ${method}, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    for (const t of this.unacked.values()) clearInterval(t);
    return new Promise((r) => this.sock.close(() => r()));
  }

  private transaction(pfPort: number, o: { method: string; uri: string; from: string; to: string; callId?: string; localTag?: string; remoteTag?: string; cseq?: number; headers?: string[]; body?: Buffer }): Promise<RawMessage | undefined> {
    const callId = o.callId ?? `${hex(8)}@ua`;
    const branch = `z9hG4bK${hex(6)}`;
    const d: UaDialog = { callId, localUri: o.from, localTag: o.localTag ?? hex(4), remoteUri: o.to, remoteTag: o.remoteTag ?? '', remoteTarget: o.uri, cseq: o.cseq ?? 1 };
    const data = this.build(o.method, o.uri, d, d.cseq, o.headers ?? [], o.body ?? Buffer.alloc(0), branch);
    return new Promise((resolve) => {
      const timer = setInterval(() => this.sendTo(pfPort, data), 500);
      const stop = setTimeout(() => done(undefined), 10_000);
      const done = (m: RawMessage | undefined) => {
        clearInterval(timer);
        clearTimeout(stop);
        this.waiting.delete(branch);
        resolve(m);
      };
      this.waiting.set(branch, done);
      this.sendTo(pfPort, data);
    });
  }

  private build(method: string, uri: string, d: UaDialog, cseq: number, headers: string[], body: Buffer, branch: string): Buffer {
    const head = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
      `From: <${d.localUri}>;tag=${d.localTag}`,
      `To: <${d.remoteUri}>${d.remoteTag ? `;tag=${d.remoteTag}` : ''}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${cseq} ${method}`,
      'Max-Forwards: 70',
      ...headers,
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    return Buffer.concat([Buffer.from(head), body]);
  }

  private sendTo(port: number, data: Buffer, host = '127.0.0.1'): void {
    this.sock.send(data, port, host);
  }

  private onMessage(m: RawMessage, rinfo: dgram.RemoteInfo): void {
    if (m.startLine.startsWith('SIP/2.0 ')) {
      const branch = /branch=([^;,\s]+)/.exec(headerOf(m, 'Via') ?? '')?.[1];
      if (status(m) >= 200 && branch) this.waiting.get(branch)?.(m);
      return;
    }
    const method = m.startLine.split(' ')[0];
    const callId = headerOf(m, 'Call-ID') ?? '';
    if (method === 'ACK') {
      clearInterval(this.unacked.get(callId));
      this.unacked.delete(callId);
      return;
    }
    const branch = /branch=([^;,\s]+)/.exec(headerOf(m, 'Via') ?? '')?.[1] ?? '';
    const again = this.answered.get(branch);
    if (again) {
      this.sendTo(rinfo.port, again, rinfo.address);
      return;
    }
    this.requests.push(m);
    const code = this.answer(m);
    const toTag = method === 'INVITE' && !/tag=/.test(headerOf(m, 'To') ?? '') ? hex(4) : undefined;
    const sdp = method === 'INVITE' && code < 300 ? this.answerSdp(m) : undefined;
    const body = Buffer.from(sdp ?? '');
    const vias = m.headers.filter(([k]) => /^(via|v)$/i.test(k)).map(([, v]) => `Via: ${v}`);
    const res = Buffer.concat([
      Buffer.from(
        [
          `SIP/2.0 ${code} ${code < 300 ? 'OK' : 'Refused'}`,
          ...vias,
          `From: ${headerOf(m, 'From')}`,
          `To: ${headerOf(m, 'To')}${toTag ? `;tag=${toTag}` : ''}`,
          `Call-ID: ${callId}`,
          `CSeq: ${headerOf(m, 'CSeq')}`,
          ...(method === 'INVITE' ? [`Contact: <${this.contact}>`] : []),
          ...(sdp ? ['Content-Type: application/sdp'] : []),
          `Content-Length: ${body.length}`,
          '',
          '',
        ].join('\r\n'),
      ),
      body,
    ]);
    this.answered.set(branch, res);
    this.sendTo(rinfo.port, res, rinfo.address);
    if (method === 'INVITE' && code >= 200 && code < 300) {
      const from = headerOf(m, 'From') ?? '';
      this.accepted.set(callId, {
        callId, localUri: /<([^>]+)>/.exec(headerOf(m, 'To') ?? '')?.[1] ?? '', localTag: toTag ?? '', remoteUri: /<([^>]+)>/.exec(from)?.[1] ?? '',
        remoteTag: /tag=([^;>\s]+)/.exec(from)?.[1] ?? '', remoteTarget: /<([^>]+)>/.exec(headerOf(m, 'Contact') ?? '')?.[1] ?? '', cseq: 100,
      });
      // the 2xx is repeated until the ACK comes (RFC 3261 §13.3.1.4)
      this.unacked.set(callId, setInterval(() => this.sendTo(rinfo.port, res, rinfo.address), 500));
    }
  }
}

function status(m: RawMessage): number {
  return Number(m.startLine.split(' ')[1]);
}

/** An SDP offer or answer with one MSRP stream whose a=path is `path` (a test MsrpPeer's). */
export function msrpOffer(path: string, setup?: 'active' | 'passive' | 'actpass'): string {
  const port = /:(\d+)\//.exec(path)?.[1] ?? '2855';
  return [
    'v=0', `o=- ${Date.now() % 1e9} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=message ${port} TCP/MSRP *`,
    'a=accept-types:message/cpim text/plain application/octet-stream application/im-iscomposing+xml',
    'a=accept-wrapped-types:*',
    ...(setup ? [`a=setup:${setup}`] : []),
    `a=path:${path}`,
    '',
  ].join('\r\n');
}
