// The MESSAGE link (D-341): the embedded edge hands a MESSAGE outside any dialog straight to the
// PF's handlers over a MessagePort, and takes the PF's answer and the MESSAGEs it sends on the same
// way, instead of as drachtio control-protocol frames read by srf. Everything else (REGISTER,
// sessions, SUBSCRIBE/NOTIFY, in-dialog requests) stays on the control protocol, and so does
// MESSAGE when the PF runs behind a real drachtio-server. What crosses is plain data: the request
// as the edge forwards it to srf (its bytes, one character per byte, D-112) with where it came
// from; a response's status, reason and headers; a request's URI, method, headers, body and
// next hop; a sent request's final status. Measured in D-341: the control protocol and srf cost
// two thirds of the stack's CPU per MESSAGE.
import type { MessagePort } from 'node:worker_threads';
import { SipMessage, appHeaderName } from './sip/message';
import type { ClientTxn } from './transaction';
import { REASON_PHRASES, type ServerRequest, type SipUa } from './ua';
import { PostPerTurn, receivePerTurn } from './post-per-turn';

// Each side posts arrays of these, one per turn (post-per-turn.ts, D-342).

/** edge → PF */
export type FromMessageEdge =
  | { t: 'req'; id: number; raw: string; proto: string; host: string; port: number }
  | { t: 'final'; id: number; status: number; reason: string; userAgent?: string; server?: string };

/** PF → edge */
export type ToMessageEdge =
  | { t: 'res'; id: number; status: number; reason?: string; headers?: Record<string, string>; body?: string }
  | {
      t: 'send'; id: number; uri: string; method: string; headers: Record<string, string>; body?: string; proxy?: string;
      /** the link id of the request the PF sends this for, which waits on it (D-345) */
      for?: number;
    };

/** Whether a request from the network goes over the MESSAGE link: a MESSAGE outside any dialog. */
export function takesRequest(req: ServerRequest): boolean {
  return req.msg.method === 'MESSAGE' && !req.dialog && req.txn !== undefined;
}

export class MessageLinkEdge {
  /** requests handed to the PF and not answered finally yet, by link id */
  private readonly pending = new Map<number, ServerRequest>();
  /** of those, how many MESSAGEs the PF sent for each that have no final answer yet (D-345) */
  private readonly sentFor = new Map<number, number>();
  private nextId = 1;
  /** MESSAGEs handed to the PF over this link since the start */
  delivered = 0;
  private readonly sweeper = setInterval(() => this.sweep(), 10_000).unref();

  private readonly out: PostPerTurn<FromMessageEdge>;

  constructor(private readonly ua: SipUa, private readonly port: MessagePort, warn: (line: string) => void = console.warn) {
    this.out = new PostPerTurn(port);
    receivePerTurn<ToMessageEdge>(
      port,
      (m) => (m.t === 'res' ? this.respond(m) : this.send(m)),
      (e, m) => warn(`MESSAGE link: the PF's ${m.t === 'res' ? `answer ${m.status}` : `${m.method} to ${m.uri}`} (link id ${m.id}) not carried out: ${(e as Error)?.message ?? e}`),
    );
  }

  deliver(req: ServerRequest): void {
    const id = this.nextId++;
    this.delivered++;
    this.pending.set(id, req);
    this.out.post({ t: 'req', id, raw: req.msg.toBuffer().toString('latin1'), proto: req.peer.proto, host: req.peer.host, port: req.peer.port });
  }

  /** how many requests the PF holds unanswered (the control protocol's appTransactions, for this link) */
  get size(): number {
    return this.pending.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.pending.clear();
    this.sentFor.clear();
    this.port.close();
  }

  /** Forgets requests whose transaction ended without the PF's final answer: nothing can be sent on them. */
  sweep(): number {
    let n = 0;
    for (const [id, req] of this.pending) {
      if (!req.txn || req.txn.state === 'terminated') {
        this.pending.delete(id);
        this.sentFor.delete(id);
        n++;
      }
    }
    return n;
  }

  private respond(m: Extract<ToMessageEdge, { t: 'res' }>): void {
    const req = this.pending.get(m.id);
    if (!req) return;
    const res = SipMessage.response(m.status, m.reason || REASON_PHRASES[m.status] || 'Response');
    for (const [k, v] of Object.entries(m.headers ?? {})) res.add(appHeaderName(k), v);
    if (m.body) res.body = Buffer.from(m.body, 'latin1');
    this.ua.respond(req, res);
    if (m.status >= 200) {
      this.pending.delete(m.id);
      this.sentFor.delete(m.id);
    }
  }

  /**
   * The PF sent a MESSAGE for request `id` (D-345): while any it sent for it is unanswered, the
   * request waits on a next hop, not on the PF, and the overload control counts it apart. Counted
   * from the send, not from its first transmission: a MESSAGE the edge cannot send is answered at
   * once, and so does not wait.
   */
  private sentOne(id: number, delta: 1 | -1): void {
    const req = this.pending.get(id);
    if (!req) return;
    const n = (this.sentFor.get(id) ?? 0) + delta;
    if (n > 0) this.sentFor.set(id, n);
    else this.sentFor.delete(id);
    if (n === 1 && delta === 1) this.ua.waitOnNextHop(req, true);
    else if (n === 0) this.ua.waitOnNextHop(req, false);
  }

  private send(m: Extract<ToMessageEdge, { t: 'send' }>): void {
    const forId = m.for;
    if (forId !== undefined) this.sentOne(forId, 1);
    let settled = false;
    const final = (status: number, reason: string, res?: SipMessage) => {
      if (settled) return;
      settled = true;
      // the request it was sent for is the PF's to answer again: the PF has this final to handle
      if (forId !== undefined) this.sentOne(forId, -1);
      const out: FromMessageEdge = { t: 'final', id: m.id, status, reason };
      const userAgent = res?.get('user-agent');
      const server = res?.get('server');
      if (userAgent !== undefined) out.userAgent = userAgent;
      if (server !== undefined) out.server = server;
      this.out.post(out);
    };
    const out = SipMessage.request(m.method, m.uri);
    for (const [k, v] of Object.entries(m.headers)) out.add(appHeaderName(k), v);
    if (m.body) {
      out.body = Buffer.from(m.body, 'latin1');
      // as the control protocol answers a body without a type (ControlServer.sendOutsideDialog)
      if (!out.has('content-type')) return final(503, 'Not sent: missing content-type');
    }
    const dest = m.proxy ? this.ua.destinationFor(SipMessage.request(m.method, m.proxy.startsWith('sip') ? m.proxy : `sip:${m.proxy}`)) : undefined;
    const txn: ClientTxn | undefined = this.ua.request(
      out,
      {
        onResponse: (res) => {
          if (res.status >= 200) final(res.status, res.reason, res);
        },
        onTimeout: () => final(408, REASON_PHRASES[408]),
      },
      { dest },
    );
    if (!txn) final(503, 'Not sent: unable to determine destination of request');
  }
}
