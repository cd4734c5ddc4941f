// The PF's side of the MESSAGE link (D-341, server/edge/message-link.ts): a MESSAGE outside any
// dialog arrives from the embedded edge as its text and source, and runs through the same handler
// chain srf runs it through (log context, trust, the unknown-source gate, the MESSAGE handler),
// with a request and a response shaped as srf's (srf-types.ts), so no handler knows which way it
// came. The MESSAGEs the PF sends outside a dialog go back the same way; any other request goes
// to srf. The request's text is parsed once, here, into the engine's view (viewOfRequest).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { FromMessageEdge, ToMessageEdge } from '../edge/message-link';
import { PostPerTurn, receivePerTurn } from '../edge/post-per-turn';
import { header, type SipMessageView } from '../engine/message';
import type { Logger } from '../log';
import { rememberView, viewOnly } from './message-view';
import type { Handler, RequestSender, SentRequest, SrfRequest, SrfResponseIn, SrfResponseOut } from './srf-types';

type SendOpts = Parameters<RequestSender['request']>[1];
type SendArgs = [reason?: string | SendOptsOut, opts?: SendOptsOut | SentCallback, cb?: SentCallback];
type SendOptsOut = { headers?: Record<string, string>; body?: string };
type SentCallback = (err: Error | null, msg?: unknown) => void;

/**
 * The link id of the request whose handlers are running, through everything they await: a
 * MESSAGE they send is sent for it, and the edge counts the request as waiting on that MESSAGE's
 * next hop instead of on the PF until it is answered (D-345).
 */
const handling = new AsyncLocalStorage<number>();

export class MessageLink implements RequestSender {
  private chain: Handler[] = [];
  /** MESSAGEs sent and waiting for their final status, by link id */
  private readonly sent = new Map<number, Array<(res: SrfResponseIn) => void>>();
  private nextId = 1;

  private readonly out: PostPerTurn<ToMessageEdge>;

  constructor(private readonly port: MessagePort, private readonly others: RequestSender, private readonly log: Logger) {
    this.out = new PostPerTurn(port);
    receivePerTurn<FromMessageEdge>(
      port,
      (m) => (m.t === 'req' ? this.onRequest(m) : this.onFinal(m)),
      (e, m) => this.log.error(`MESSAGE link: ${m.t === 'req' ? 'a request' : `the final ${m.status} of a sent MESSAGE`} (link id ${m.id}) not handled: ${(e as Error)?.stack ?? e}`),
    );
  }

  /** The handlers a MESSAGE runs through, in srf's order: its middleware, then the MESSAGE handler. */
  serve(chain: Handler[]): void {
    this.chain = chain;
  }

  request(uri: string, opts: SendOpts, cb: (err: Error | null, req: SentRequest) => void): void {
    if (opts.method !== 'MESSAGE') return this.others.request(uri, opts, cb);
    const id = this.nextId++;
    const listeners: Array<(res: SrfResponseIn) => void> = [];
    this.sent.set(id, listeners);
    const forId = handling.getStore();
    this.out.post({ t: 'send', id, uri, method: opts.method, headers: opts.headers ?? {}, ...(opts.body ? { body: opts.body } : {}), ...(opts.proxy ? { proxy: opts.proxy } : {}), ...(forId !== undefined ? { for: forId } : {}) });
    cb(null, { on: (_event, fn) => void listeners.push(fn) });
  }

  close(): void {
    this.sent.clear();
    this.port.close();
  }

  private onFinal(m: Extract<FromMessageEdge, { t: 'final' }>): void {
    const listeners = this.sent.get(m.id);
    if (!listeners) return;
    this.sent.delete(m.id);
    // the two headers of a final response the PF reads (RequestOutcome, ForkOutcome)
    const headers: Record<string, string> = {};
    if (m.userAgent !== undefined) headers['User-Agent'] = m.userAgent;
    if (m.server !== undefined) headers.Server = m.server;
    const get = (name: string) => {
      const k = name.toLowerCase();
      return k === 'user-agent' ? m.userAgent : k === 'server' ? m.server : undefined;
    };
    const res: SrfResponseIn = { status: m.status, reason: m.reason, headers, get, msg: {} };
    for (const fn of listeners) fn(res);
  }

  private onRequest(m: Extract<FromMessageEdge, { t: 'req' }>): void {
    const req = new LinkedRequest(m);
    const res = new LinkedResponse(m.id, this.out);
    // before the handlers are installed, as the edge answers a MESSAGE no app has a route for yet
    if (!this.chain.length) return res.send(503, 'Service Unavailable');
    let i = 0;
    const next = (): void => {
      const h = this.chain[i++];
      if (h) h(req, res, next);
    };
    try {
      handling.run(m.id, next);
    } catch (err) {
      // as srf answers a handler that throws
      this.log.error(`MESSAGE ${req.callId ?? ''}: ${(err as Error).stack ?? String(err)}`);
      if (!res.finished) res.send(500);
    }
  }
}

// Classes, not objects of closures: under the TypeScript loader each named closure made per
// request also costs a defineProperty of its name (as tape.ts notes), and these are per MESSAGE.

/** A request from the link, as srf's request: its view parsed once, here (viewOfRequest finds it). */
class LinkedRequest implements SrfRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers: Record<string, string> = {};
  readonly body: string;
  readonly msg: { raw: string; toString(): string };
  readonly source_address: string;
  readonly source_port: number;
  readonly protocol: string;
  readonly callId: string | undefined;
  private readonly view: SipMessageView;

  constructor(m: Extract<FromMessageEdge, { t: 'req' }>) {
    this.view = viewOnly(m.raw);
    this.msg = new RawText(m.raw);
    rememberView(this.msg, this.view);
    this.method = this.view.method ?? 'MESSAGE';
    this.uri = this.view.uri ?? '';
    this.body = this.view.body;
    this.source_address = m.host;
    this.source_port = m.port;
    this.protocol = m.proto;
    this.callId = header(this.view, 'call-id');
  }

  get(name: string): string | undefined {
    return header(this.view, name);
  }

  has(name: string): boolean {
    return header(this.view, name) !== undefined;
  }

  on(): void {
    // a MESSAGE has no CANCEL and this request no responses
  }
}

/** srf's `req.msg`: the text of the message */
class RawText {
  constructor(readonly raw: string) {}
  toString(): string {
    return this.raw;
  }
}

/** srf's response to a request, for the request with this link id */
class LinkedResponse implements SrfResponseOut {
  finished = false;

  constructor(private readonly id: number, private readonly out: PostPerTurn<ToMessageEdge>) {}

  send(status: number, ...args: SendArgs): void {
    const [a, b, c] = args;
    const reason = typeof a === 'string' ? a : undefined;
    const opts = typeof a === 'object' ? a : typeof b === 'object' ? b : undefined;
    const cb = typeof b === 'function' ? b : c;
    if (this.finished) return cb?.(new Error('the response was sent already'));
    if (status >= 200) this.finished = true;
    this.out.post({ t: 'res', id: this.id, status, ...(reason ? { reason } : {}), ...(opts?.headers ? { headers: opts.headers } : {}), ...(opts?.body ? { body: opts.body } : {}) });
    cb?.(null);
  }
}
