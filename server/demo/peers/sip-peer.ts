// A scripted SIP peer on the project's own SIP stack (server/edge/ua.ts) over loopback UDP. It
// records every message it sends or receives on the run's ladder, answers requests through a
// script-supplied rule, and lets a flow await the requests it expects, always with a deadline.
import { SipUa, randomToken, REASON_PHRASES, type ServerRequest } from '../../edge/ua';
import { Transport, type Peer } from '../../edge/transport';
import { SipMessage } from '../../edge/sip/message';
import type { Dialog } from '../../edge/dialog';
import type { ClientTxn } from '../../edge/transaction';
import type { Ladder } from '../ladder';
import { MsrpPeer } from './msrp-peer';

export interface PeerEnv {
  ladder: Ladder;
  /** where the PF listens for SIP */
  pf: { host: string; port: number };
  /** "host:port" → name, so the ladder shows who talked to whom */
  names: Map<string, string>;
  /** bound for every wait of the run */
  timeoutMs: number;
}

/** What a peer does with a request: a status, a full response, or nothing (the script answers). */
export type AnswerRule = (req: ServerRequest) => number | SipMessage | 'none';

// Timers short enough that a lost UDP packet on loopback costs little, long enough for a busy CI.
const TIMERS = { t1: 100, t2: 400, t4: 500 };

const IGNORED_STATUSES = new Set([100]);

export function noteOf(m: SipMessage): string | undefined {
  const body = m.body.toString('utf8');
  const notes: string[] = [];
  const reason = m.get('reason');
  if (reason) notes.push(`Reason: ${reason}`);
  const event = m.get('event');
  if (event) notes.push(`Event: ${event}`);
  const subState = m.get('subscription-state');
  if (subState) notes.push(`Subscription-State: ${subState}`);
  const disp = /<(delivered|failed|displayed|forbidden|error|processed|stored)\/>|legacy-sms|<(?:\w+:)?(interworking)-notification/.exec(body);
  const msgId = /<message-id>([^<]+)<\/message-id>/.exec(body)?.[1];
  if (disp) notes.push(`IMDN ${disp[1] ?? 'interworking'} for ${msgId ?? '?'}`);
  else if (/^message\/cpim/i.test(m.get('content-type') ?? '')) {
    const id = /imdn\.Message-ID:\s*(\S+)/i.exec(body)?.[1];
    notes.push(`message ${id ?? ''}`.trim());
  }
  if (/multipart\/mixed/i.test(m.get('content-type') ?? '')) notes.push('aggregated IMDNs');
  if (m.isRequest && m.method === 'REGISTER') {
    const ua = m.get('user-agent');
    const exp = m.get('expires');
    notes.push([ua, exp !== undefined ? `Expires ${exp}` : undefined].filter(Boolean).join(', '));
  }
  if (/^application\/sdp/i.test(m.get('content-type') ?? '')) {
    const ports = [...body.matchAll(/^m=message (\d+)/gm)].map((x) => x[1]);
    notes.push(`SDP MSRP port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}`);
  }
  const text = notes.filter(Boolean).join('; ');
  return text || undefined;
}

class RecordingUa extends SipUa {
  private readonly seen = new WeakSet<SipMessage>();
  constructor(opts: ConstructorParameters<typeof SipUa>[0], private readonly record: (m: SipMessage, to: Peer) => void) {
    super(opts);
  }

  override send(peer: Peer, m: SipMessage | Buffer, bytes?: Buffer): void {
    // Retransmissions re-send the same object, or a completed transaction's bytes (D-291): the
    // ladder shows each message once.
    if (!Buffer.isBuffer(m) && !this.seen.has(m)) {
      this.seen.add(m);
      this.record(m, peer);
    }
    super.send(peer, m, bytes);
  }
}

export class SipPeer {
  readonly ua: SipUa;
  /** every new request received, oldest first */
  readonly received: ServerRequest[] = [];
  answer: AnswerRule = () => 200;
  /** the peer's MSRP endpoint, when the flow gave it one (useMsrp): its SDP then names it */
  msrp?: MsrpPeer;
  private readonly waiters = new Set<() => void>();

  protected constructor(readonly name: string, readonly env: PeerEnv, transport: Transport) {
    this.ua = new RecordingUa({ transport, timers: TIMERS }, (m, to) => {
      if (!m.isRequest && IGNORED_STATUSES.has(m.status)) return;
      this.log(m, this.name, this.nameOf(to));
    });
    env.names.set(`${this.host}:${this.port}`, name);
    this.ua.handlers.request = (req) => this.onRequest(req);
  }

  static async listen(): Promise<Transport> {
    const transport = new Transport({ host: '127.0.0.1', port: 0, transports: ['udp'] });
    await transport.listen();
    return transport;
  }

  static async start(name: string, env: PeerEnv): Promise<SipPeer> {
    return new SipPeer(name, env, await SipPeer.listen());
  }

  get host(): string {
    return this.ua.local.host;
  }

  get port(): number {
    return this.ua.local.port;
  }

  /** "127.0.0.1:port", the form the PF's topology matches a packet source against */
  get hostPort(): string {
    return `${this.host}:${this.port}`;
  }

  uriOf(user: string): string {
    return `sip:${user}@${this.hostPort}`;
  }

  /** A loose route through the PF, for requests whose Request-URI is somewhere else. */
  get pfRoute(): string {
    return `<sip:${this.env.pf.host}:${this.env.pf.port};lr>`;
  }

  get pfUri(): string {
    return `sip:${this.env.pf.host}:${this.env.pf.port}`;
  }

  protected nameOf(p: { host: string; port: number }): string {
    return this.env.names.get(`${p.host}:${p.port}`) ?? `${p.host}:${p.port}`;
  }

  protected log(m: SipMessage, from: string, to: string): void {
    const method = m.isRequest ? m.method : (m.get('cseq') ?? '').split(/\s+/)[1];
    this.env.ladder.add({
      kind: 'sip',
      from,
      to,
      method,
      status: m.isRequest ? undefined : m.status,
      label: m.isRequest ? `${m.method} ${m.uri}` : `${m.status} ${m.reason}`,
      callId: m.get('call-id'),
      note: noteOf(m),
    });
  }

  protected onRequest(req: ServerRequest): void {
    this.log(req.msg, this.nameOf(req.peer), this.name);
    this.received.push(req);
    if (req.msg.method !== 'ACK') {
      const a = this.answer(req);
      if (a !== 'none') this.respond(req, a);
    }
    for (const w of [...this.waiters]) w();
  }

  respond(req: ServerRequest, a: number | SipMessage): void {
    const res = typeof a === 'number' ? SipMessage.response(a, REASON_PHRASES[a] ?? (a === 410 ? 'Gone' : a === 480 ? 'Temporarily Unavailable' : 'Response')) : a;
    this.ua.respond(req, res);
  }

  /** Sends a request out of dialog and resolves with its final response (a 408 when none came). */
  send(m: SipMessage, dest?: Peer): Promise<SipMessage> {
    return this.track((h) => this.ua.request(m, h, dest ? { dest } : {}));
  }

  sendInDialog(d: Dialog, m: SipMessage): Promise<SipMessage> {
    return this.track((h) => this.ua.requestInDialog(d, m, h));
  }

  private track(start: (h: { onResponse: (r: SipMessage, txn: ClientTxn) => void; onTimeout: () => void }) => unknown): Promise<SipMessage> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: SipMessage) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => finish(SipMessage.response(408, 'No final response in time (demo deadline)')), this.env.timeoutMs);
      const sent = start({
        onResponse: (r, txn) => {
          const from = this.ua.clientPeers.get(txn) ?? this.env.pf;
          if (!IGNORED_STATUSES.has(r.status)) this.log(r, this.nameOf(from), this.name);
          if (r.status >= 200) finish(r);
        },
        onTimeout: () => finish(SipMessage.response(408, 'Request Timeout (transaction timer)')),
      });
      if (!sent) finish(SipMessage.response(503, 'Not sent: no destination'));
    });
  }

  /** Resolves with the first received request (from `after` on) that matches, or rejects at the deadline. */
  waitForRequest(what: string, match: (r: ServerRequest) => boolean, opts: { after?: number; timeoutMs?: number } = {}): Promise<ServerRequest> {
    const after = opts.after ?? 0;
    const find = () => this.received.slice(after).find(match);
    const hit = find();
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const check = () => {
        const r = find();
        if (!r) return;
        cleanup();
        resolve(r);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not receive ${what} within ${opts.timeoutMs ?? this.env.timeoutMs} ms`));
      }, opts.timeoutMs ?? this.env.timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Received requests of a method (ACKs excluded unless asked for). */
  requests(method: string): ServerRequest[] {
    return this.received.filter((r) => r.msg.method === method);
  }

  newCallId(): string {
    return `${randomToken(8)}@${this.host}`;
  }

  /**
   * A real MSRP endpoint for this peer (listening on loopback): the SDP it offers and answers
   * names it, and what it sends and receives over MSRP goes on the ladder beside SIP.
   */
  async useMsrp(): Promise<MsrpPeer> {
    if (this.msrp) return this.msrp;
    const p = await MsrpPeer.start(this.name.replace(/[^A-Za-z0-9]/g, ''));
    p.observe = (m, dir) => {
      const what = m.kind === 'response' ? `${m.code} ${m.comment ?? ''}`.trim() : `${m.method}${m.messageId ? ` ${m.messageId}` : ''}`;
      const body = m.kind === 'request' && m.body ? m.body.toString('utf8') : '';
      const id = /imdn\.Message-ID:\s*(\S+)/i.exec(body)?.[1];
      this.env.ladder.add({
        kind: 'sip', from: dir === 'out' ? this.name : 'PF', to: dir === 'out' ? 'PF' : this.name, method: m.kind === 'request' ? `MSRP ${m.method}` : 'MSRP',
        ...(m.kind === 'response' ? { status: m.code } : {}), label: `MSRP ${what}`, ...(id ? { note: `message ${id}` } : {}),
      });
    };
    this.msrp = p;
    return p;
  }

  async close(): Promise<void> {
    await this.msrp?.close();
    for (const w of [...this.waiters]) this.waiters.delete(w);
    this.ua.shutdown();
    await this.ua.transport.close();
  }
}
