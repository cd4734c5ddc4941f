// The SIP user-agent core: transactions + dialogs over a Transport. Usable on its own (scripted
// SIP peers) and underneath the drachtio control protocol (control-server.ts).
import { randomBytes } from 'node:crypto';
import { realClock, type Clock, type TimerHandle } from './clock';
import { dialogIdFor, withoutTag, type Dialog } from './dialog';
import { SipMessage, SipParseError, parseSipMessage, splitList } from './sip/message';
import { formatVia, parseCSeq, parseNameAddr, parseUri, parseVia, tagOf, type Via } from './sip/headers';
import { checkRequest, responseProblem } from './sip/validate';
import {
  ClientInviteTxn, ClientNonInviteTxn, DEFAULT_TIMERS, ServerInviteTxn, ServerNonInviteTxn,
  type ClientTxn, type ServerTxn, type TimerName, type Transaction, type TxnTimers, type TxnEnv, type SendFn,
} from './transaction';
import type { Peer, Proto, Transport } from './transport';

export const REASON_PHRASES: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted',
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  420: 'Bad Extension', 481: 'Call/Transaction Does Not Exist', 483: 'Too Many Hops', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending', 500: 'Server Internal Error',
  503: 'Service Unavailable',
};

// Tags, branches and Call-IDs take their randomness from a pool refilled 4 KiB at a time: one
// crypto.randomBytes call per token (a synchronous trip into OpenSSL) was 4% of the PF's main
// thread under IMDN load. Same source of randomness, fewer calls.
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let used = 0;

export function randomToken(bytes = 8): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('hex');
  if (used + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const s = pool.toString('hex', used, used + bytes);
  used += bytes;
  return s;
}

export interface ServerRequest {
  msg: SipMessage;
  peer: Peer;
  /** Undefined for an ACK to a 2xx (it has no transaction of its own). */
  txn?: ServerTxn;
  dialog?: Dialog;
  /** The To tag our responses carry (generated once per transaction). */
  toTag: string;
  receivedAt: number;
  /** handed to the application, which has not answered yet (counted in SipUa.appPending) */
  awaitingApp?: boolean;
  /**
   * unanswered, and the application has nothing to do on it until a request it sent for it is
   * answered (counted in SipUa.appWaiting, D-345)
   */
  awaitingNextHop?: boolean;
}

export interface ClientRequestHandlers {
  onResponse(res: SipMessage, txn: ClientTxn): void;
  onTimeout?(txn: ClientTxn): void;
}

export interface UaHandlers {
  /** A new request (not a retransmission); also ACKs for 2xx and in-dialog requests. */
  request?(req: ServerRequest): void;
  /** A CANCEL that matched a pending INVITE; 200 and 487 were already sent. */
  cancel?(invite: ServerRequest, cancel: SipMessage, peer: Peer): void;
  /** No ACK came for our 2xx: we sent `bye` to the peer and removed the dialog. */
  ackTimeout?(dialog: Dialog, bye: SipMessage): void;
  dialogRemoved?(dialog: Dialog): void;
  /** A request we could not accept (observability, fuzzing). */
  rejected?(status: number | 'dropped', reason: string): void;
}

export interface UaOptions {
  transport: Transport;
  clock?: Clock;
  timers?: Partial<TxnTimers>;
  /** Option tags accepted in Require (RFC 3261 8.2.2.3); anything else gets 420. */
  supported?: string[];
  log?: (line: string) => void;
  onTimer?: (txn: Transaction, name: TimerName) => void;
  /** Address written in Via/Contact (defaults to the bound address). */
  publicAddress?: { host: string; port: number };
  /**
   * Overload control: asked for each new request (not a retransmission) before a transaction is
   * made for it, with the number of requests the application holds unanswered. A refusal is sent
   * statelessly (no transaction is kept: a retransmission is asked again). `tally` names what the
   * refusal is counted under in the stats' `overloadedBy` (e.g. the verdict's reason).
   */
  admit?: (req: { method: string; inDialog: boolean; pending: number; waiting: number }) => AdmitRefusal | undefined;
}

/** A new request turned away by the admission check, answered statelessly. */
export interface AdmitRefusal {
  status: number;
  reason: string;
  headers?: Record<string, string>;
  tally?: string;
}

// The app may not set these on responses/requests: the stack owns them (drachtio m_setImmutableHdrs).
const IMMUTABLE = new Set(['via', 'route', 'record-route', 'rseq', 'content-length']);
const DIALOG_OWNED = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards']);
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

export class SipUa {
  readonly clock: Clock;
  readonly timers: TxnTimers;
  handlers: UaHandlers = {};
  readonly serverTxns = new Map<string, ServerTxn>();
  readonly clientTxns = new Map<string, ClientTxn>();
  readonly dialogs = new Map<string, Dialog>();
  private readonly requestsByTxn = new WeakMap<ServerTxn, ServerRequest>();
  private readonly guards = new Map<ServerTxn, TimerHandle>();
  /**
   * Completed server non-INVITE transactions over UDP, as what Timer J still needs: the final
   * response's bytes and the peer to re-send them to (D-326). A transaction object kept for 64*T1
   * held about 3 KB of heap with its timer, closures and maps; at 1,000 MESSAGEs/s, 32,000 of
   * them. All live 64*T1, so they expire in the order they came: one timer for the oldest.
   */
  private readonly completedUdp = new Map<string, { bytes: Buffer; peer: Peer }>();
  private readonly completedOrder: Array<{ key: string; until: number }> = [];
  private completedHead = 0;
  private completedTimer: TimerHandle | undefined;
  private readonly supported: Set<string>;
  /** Where each client transaction sends (for metadata reported to applications). */
  readonly clientPeers = new WeakMap<ClientTxn, Peer>();
  counters = { received: 0, sent: 0, badRequests: 0, dropped: 0, overloaded: 0 };
  /** overload refusals by their `tally` (AdmitRefusal) */
  readonly overloadedBy: Record<string, number> = {};
  /** requests handed to the application that it has not answered yet (provisional or final), less those in appWaiting */
  appPending = 0;
  /** requests handed to the application, unanswered, that wait on a request it sent for them (D-345) */
  appWaiting = 0;

  constructor(readonly opts: UaOptions) {
    this.clock = opts.clock ?? realClock;
    this.timers = { ...DEFAULT_TIMERS, ...(opts.timers ?? {}) };
    this.supported = new Set((opts.supported ?? ['timer', 'replaces', 'norefersub', 'path']).map((s) => s.toLowerCase()));
    opts.transport.onMessage((buf, peer) => this.receive(buf, peer));
  }

  get transport(): Transport { return this.opts.transport; }

  get local(): { host: string; port: number } {
    return this.opts.publicAddress ?? this.transport.address;
  }

  private log(s: string): void { this.opts.log?.(s); }

  // One environment for every transaction, made once: a completed UDP transaction lives 32 s,
  // and tens of thousands of them each held a copy under load (D-303).
  private txnEnvCache: TxnEnv | undefined;
  private env(): TxnEnv {
    return (this.txnEnvCache ??= { clock: this.clock, timers: this.timers, onTimer: this.opts.onTimer });
  }

  // A function returned from here has no name of its own. A `const send = () => …` is given one
  // at run time by the TypeScript loader's keep-names transform, and that costs every closure a
  // property array of its own (about 250 bytes), kept as long as its transaction (D-303).
  private sendTo(peer: Peer): SendFn {
    return (m, bytes) => this.send(peer, m, bytes);
  }

  contactFor(proto: Proto): string {
    return `<sip:${this.local.host}:${this.local.port}${proto === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  /** `m` on the wire; `bytes`, when given, is its serialisation already made (D-291) */
  send(peer: Peer, m: SipMessage | Buffer, bytes?: Buffer): void {
    this.counters.sent++;
    this.transport.send(peer, bytes ?? (Buffer.isBuffer(m) ? m : m.toBuffer()));
  }

  // ------------------------------------------------------------------ incoming

  /** Entry point for every received datagram/frame (also used directly by the fuzz test). */
  receive(buf: Buffer, peer: Peer): void {
    this.counters.received++;
    let msg: SipMessage;
    try {
      msg = parseSipMessage(buf);
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      const partial = e.partial;
      if (partial && partial.isRequest && partial.method !== 'ACK') this.reject400(partial, peer, e.message);
      else this.drop(`unparseable: ${e.message}`);
      return;
    }
    if (!msg.isRequest) {
      const problem = responseProblem(msg);
      if (problem) { this.drop(`bad response: ${problem}`); return; }
      this.handleResponse(msg);
      return;
    }
    const checked = checkRequest(msg);
    if (typeof checked === 'string') {
      if (msg.method === 'ACK') this.drop(`bad ACK: ${checked}`);
      else this.reject400(msg, peer, checked);
      return;
    }
    const via = checked.topVia;
    this.stampVia(msg, via, peer);
    this.handleRequest(msg, via, peer);
  }

  private drop(reason: string): void {
    this.counters.dropped++;
    this.log(`drop: ${reason}`);
    this.handlers.rejected?.('dropped', reason);
  }

  /** Stateless 400 that copies whatever of Via/From/To/Call-ID/CSeq could be read. */
  private reject400(m: SipMessage, peer: Peer, reason: string): void {
    const vias = m.getAll('via').filter((v) => parseVia(v));
    if (vias.length === 0) { this.drop(`no usable Via (${reason})`); return; }
    this.counters.badRequests++;
    const res = SipMessage.response(400, 'Bad Request');
    for (const v of vias) res.add('Via', v);
    for (const h of ['from', 'to', 'call-id', 'cseq']) {
      const val = m.get(h);
      // Only copy what is printable on one line; the 400 must itself be well formed.
      if (val !== undefined && !/[\r\n]/.test(val)) res.add(h, val);
    }
    res.add('Warning', `399 edge "${reason.replace(/"/g, "'")}"`);
    this.send(peer, res);
    this.handlers.rejected?.(400, reason);
  }

  /** A final response without a transaction (overload: keeping none is the point). */
  private refuseStateless(m: SipMessage, peer: Peer, r: AdmitRefusal): void {
    this.counters.overloaded++;
    if (r.tally !== undefined) this.overloadedBy[r.tally] = (this.overloadedBy[r.tally] ?? 0) + 1;
    const res = SipMessage.response(r.status, r.reason);
    for (const v of m.getAll('via')) res.add('Via', v);
    res.add('From', m.get('from')!);
    const to = m.get('to')!;
    res.add('To', tagOf(to) ? to : `${to};tag=${randomToken(6)}`);
    res.add('Call-ID', m.get('call-id')!);
    res.add('CSeq', m.get('cseq')!);
    for (const [name, value] of Object.entries(r.headers ?? {})) res.add(name, value);
    this.send(peer, res);
    this.handlers.rejected?.(r.status, 'overload');
  }

  /** `via` is the request's top Via, parsed; it gets the same stamp as the header */
  private stampVia(m: SipMessage, via: Via, peer: Peer): void {
    const h = m.headers.find((x) => x.key === 'via')!;
    const values = splitList(h.value);
    if (via.host !== peer.host) via.params.set('received', peer.host);
    // Forced rport (drachtio NTATAG_SERVER_RPORT(2)): we always answer the source port.
    if (via.params.has('rport')) via.params.set('rport', String(peer.port));
    values[0] = formatVia(via);
    h.value = values.join(', ');
  }

  /** `via` is the request's top Via, parsed */
  private serverKey(m: SipMessage, via: Via, methodOverride?: string): string {
    const method = methodOverride ?? (m.method === 'ACK' ? 'INVITE' : m.method);
    if (via.branch && via.branch.startsWith('z9hG4bK')) return `${via.branch}|${via.host}:${via.port ?? 5060}|${method}`;
    // RFC 2543 peers: match on the request identity instead of the branch.
    return `2543|${m.get('call-id')}|${parseCSeq(m.get('cseq'))?.seq}|${tagOf(m.get('from'))}|${via.branch}|${method}`;
  }

  private handleRequest(msg: SipMessage, via: Via, peer: Peer): void {
    const method = msg.method;
    if (method === 'ACK') { this.handleAck(msg, via, peer); return; }
    const key = this.serverKey(msg, via);
    const existing = this.serverTxns.get(key);
    if (existing) { existing.retransmission(); return; }
    const completed = this.completedUdp.get(key);
    if (completed) { this.send(completed.peer, completed.bytes); return; }
    if (method !== 'CANCEL' && this.opts.admit) {
      const refusal = this.opts.admit({ method, inDialog: tagOf(msg.get('to')) !== undefined, pending: this.appPending, waiting: this.appWaiting });
      if (refusal) { this.refuseStateless(msg, peer, refusal); return; }
    }
    const reliable = peer.proto !== 'udp';
    const send = this.sendTo(peer);
    const txn = method === 'INVITE'
      ? new ServerInviteTxn(this.env(), key, msg, reliable, send)
      : new ServerNonInviteTxn(this.env(), key, msg, reliable, send);
    this.serverTxns.set(key, txn);
    txn.onTerminated = () => {
      if (this.serverTxns.get(key) === txn) this.serverTxns.delete(key);
      const r = this.requestsByTxn.get(txn);
      if (r) this.answered(r);
      const g = this.guards.get(txn);
      if (g !== undefined) { this.clock.clearTimeout(g); this.guards.delete(txn); }
    };
    const toTag = tagOf(msg.get('to')) ?? randomToken(6);
    const req: ServerRequest = { msg, peer, txn, toTag, receivedAt: this.clock.now() };
    this.requestsByTxn.set(txn, req);
    if (txn instanceof ServerInviteTxn) txn.respond(this.buildResponse(req, SipMessage.response(100, 'Trying')));
    else {
      // A non-INVITE the application never answers would otherwise live forever.
      this.guards.set(txn, this.clock.setTimeout(() => { this.guards.delete(txn); txn.terminate(); }, 64 * this.timers.t1));
    }

    if (method === 'CANCEL') { this.handleCancel(req, via); return; }
    const mf = msg.get('max-forwards');
    if (mf !== undefined && Number(mf) === 0) { this.respondStatus(req, 483); return; }
    const unsupported = msg.getAll('require').map((r) => r.toLowerCase()).filter((r) => !this.supported.has(r));
    if (unsupported.length) {
      const res = SipMessage.response(420, 'Bad Extension');
      res.add('Unsupported', unsupported.join(', '));
      this.respond(req, res);
      return;
    }
    const toTag0 = tagOf(msg.get('to'));
    if (toTag0) {
      const dialog = this.findDialogForRequest(msg);
      if (!dialog) { this.respondStatus(req, 481); return; }
      const seq = parseCSeq(msg.get('cseq'))!.seq;
      if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) { this.respondStatus(req, 500); return; }
      dialog.remoteSeq = seq;
      if (TARGET_REFRESH.has(method)) {
        const c = msg.getAll('contact')[0];
        const na = c ? parseNameAddr(c) : undefined;
        if (na && na.uri !== '*') dialog.remoteTarget = na.uri;
      }
      req.dialog = dialog;
      if (method === 'INVITE') {
        dialog.inviteSeq = seq;
      }
    } else if (method === 'BYE' || method === 'UPDATE' || method === 'PRACK') {
      this.respondStatus(req, 481);
      return;
    } else if (method === 'NOTIFY') {
      // A NOTIFY may arrive before the 2xx of our SUBSCRIBE; it still needs a To tag (ours).
      this.respondStatus(req, 481);
      return;
    }
    if (this.handlers.request) { req.awaitingApp = true; this.appPending++; }
    this.handlers.request?.(req);
    // Removed after the handler so it can still see who owns the dialog.
    if (req.dialog && method === 'BYE') this.removeDialog(req.dialog);
  }

  private handleAck(msg: SipMessage, via: Via, peer: Peer): void {
    const inviteTxn = this.serverTxns.get(this.serverKey(msg, via));
    if (inviteTxn instanceof ServerInviteTxn && (inviteTxn.state === 'completed' || inviteTxn.state === 'confirmed')) {
      inviteTxn.ack(); // ACK for a non-2xx: absorbed by the stack
      return;
    }
    const dialog = this.findDialogForRequest(msg);
    if (!dialog) { this.drop('ACK outside any dialog'); return; }
    const seq = parseCSeq(msg.get('cseq'))!.seq;
    const pending = dialog.pendingAck;
    if (!pending || seq !== dialog.inviteSeq) return; // retransmitted or stray ACK: absorbed
    dialog.pendingAck = undefined;
    pending.ack2xx();
    const req: ServerRequest = { msg, peer, dialog, toTag: dialog.localTag, receivedAt: this.clock.now() };
    this.handlers.request?.(req);
  }

  private handleCancel(req: ServerRequest, via: Via): void {
    const inviteTxn = this.serverTxns.get(this.serverKey(req.msg, via, 'INVITE'));
    if (!(inviteTxn instanceof ServerInviteTxn)) { this.respondStatus(req, 481); return; }
    this.respondStatus(req, 200);
    if (inviteTxn.state !== 'proceeding') return;
    const invite = this.requestsByTxn.get(inviteTxn)!;
    this.respondStatus(invite, 487);
    this.handlers.cancel?.(invite, req.msg, req.peer);
  }

  findDialogForRequest(m: SipMessage): Dialog | undefined {
    const callId = m.get('call-id')!;
    const fromTag = tagOf(m.get('from'));
    const toTag = tagOf(m.get('to'));
    if (fromTag) {
      const d = this.dialogs.get(dialogIdFor(callId, fromTag));
      if (d && d.role === 'uas' && d.localTag === toTag) return d;
    }
    if (toTag) {
      const d = this.dialogs.get(dialogIdFor(callId, toTag));
      if (d && d.role === 'uac' && (d.remoteTag === fromTag || !d.remoteTag)) return d;
    }
    return undefined;
  }

  findDialogByCallId(callId: string): Dialog | undefined {
    for (const d of this.dialogs.values()) if (d.callId === callId) return d;
    return undefined;
  }

  // ------------------------------------------------------------------ responding

  /** Builds the response actually sent for `req` from an application skeleton. */
  buildResponse(req: ServerRequest, skeleton: SipMessage): SipMessage {
    const m = req.msg;
    const res = SipMessage.response(skeleton.status, skeleton.reason || REASON_PHRASES[skeleton.status] || 'Unknown');
    for (const v of m.getAll('via')) res.add('Via', v);
    res.add('From', m.get('from')!);
    const appTo = skeleton.get('to');
    let to = m.get('to')!;
    if (skeleton.status > 100) {
      const appTag = appTo ? tagOf(appTo) : undefined;
      if (appTag && !tagOf(to)) req.toTag = appTag;
      if (!tagOf(to)) to = `${to};tag=${req.toTag}`;
    }
    res.add('To', to);
    res.add('Call-ID', m.get('call-id')!);
    res.add('CSeq', m.get('cseq')!);
    const createsDialog = (m.method === 'INVITE' || m.method === 'SUBSCRIBE') && !tagOf(m.get('to'));
    if (createsDialog && skeleton.status > 100 && skeleton.status < 300) {
      for (const rr of m.getAll('record-route')) res.add('Record-Route', rr);
    }
    for (const h of skeleton.headers) {
      const k = h.key;
      if (IMMUTABLE.has(k) || DIALOG_OWNED.has(k)) continue;
      res.headers.push({ ...h });
    }
    if ((m.method === 'INVITE' || m.method === 'SUBSCRIBE' || m.method === 'UPDATE') && skeleton.status > 100 && skeleton.status < 300 && !res.has('contact')) {
      res.add('Contact', this.contactFor(req.peer.proto));
    }
    res.body = skeleton.body;
    if (res.body.length && !res.has('content-type') && /^v=0/.test(res.body.toString('latin1', 0, 3))) {
      res.add('Content-Type', 'application/sdp');
    }
    return res;
  }

  respondStatus(req: ServerRequest, status: number, reason?: string): SipMessage | undefined {
    return this.respond(req, SipMessage.response(status, reason ?? REASON_PHRASES[status] ?? 'Unknown'));
  }

  /** `req` no longer waits on the application: answered, or its transaction ended */
  private answered(req: ServerRequest): void {
    if (req.awaitingApp) { req.awaitingApp = false; this.appPending--; }
    if (req.awaitingNextHop) { req.awaitingNextHop = false; this.appWaiting--; }
  }

  /**
   * Moves an unanswered request between the application's backlog (appPending) and the requests
   * that wait on a next hop (appWaiting), as the application reports it (D-345): `waiting` when it
   * has sent a request for it and has nothing to do until that is answered, back when it is.
   */
  waitOnNextHop(req: ServerRequest, waiting: boolean): void {
    if (waiting && req.awaitingApp) {
      req.awaitingApp = false;
      this.appPending--;
      req.awaitingNextHop = true;
      this.appWaiting++;
    } else if (!waiting && req.awaitingNextHop) {
      req.awaitingNextHop = false;
      this.appWaiting--;
      req.awaitingApp = true;
      this.appPending++;
    }
  }

  /**
   * Sends a response for a received request. Returns the message as sent, or undefined when the
   * transaction can no longer take it (already final, or gone).
   */
  respond(req: ServerRequest, skeleton: SipMessage): SipMessage | undefined {
    const txn = req.txn;
    if (!txn || txn.state === 'terminated') return undefined;
    const res = this.buildResponse(req, skeleton);
    if (!txn.respond(res)) return undefined;
    this.answered(req);
    const m = req.msg;
    const status = res.status;
    if (status >= 200 && status < 300 && !req.dialog && (m.method === 'INVITE' || m.method === 'SUBSCRIBE')) {
      const dialog = this.createUasDialog(req, res);
      if (m.method === 'INVITE' && txn instanceof ServerInviteTxn) this.armAckWait(dialog, txn);
    } else if (status >= 200 && status < 300 && req.dialog && m.method === 'INVITE' && txn instanceof ServerInviteTxn) {
      this.armAckWait(req.dialog, txn);
    } else if (status >= 200 && req.dialog && m.method === 'NOTIFY' && req.dialog.method === 'SUBSCRIBE'
      && /terminated/i.test(m.get('subscription-state') ?? '')) {
      this.removeDialog(req.dialog);
    }
    if (status >= 200) {
      const g = this.guards.get(txn);
      if (g !== undefined) { this.clock.clearTimeout(g); this.guards.delete(txn); }
      // answered: a non-INVITE transaction needs nothing of the request any more (D-291)
      if (txn instanceof ServerNonInviteTxn) {
        this.requestsByTxn.delete(txn);
        const bytes = txn.completedBytes;
        if (bytes) this.keepCompleted(txn, bytes, req.peer);
      }
    }
    return res;
  }

  /** Ends a completed UDP server non-INVITE now and answers its retransmissions from its bytes until 64*T1 (D-326). */
  private keepCompleted(txn: ServerNonInviteTxn, bytes: Buffer, peer: Peer): void {
    txn.terminate();
    this.completedUdp.set(txn.key, { bytes, peer });
    this.completedOrder.push({ key: txn.key, until: this.clock.now() + 64 * this.timers.t1 });
    this.completedTimer ??= this.clock.setTimeout(() => this.expireCompleted(), 64 * this.timers.t1);
  }

  private expireCompleted(): void {
    this.completedTimer = undefined;
    const now = this.clock.now();
    const order = this.completedOrder;
    while (this.completedHead < order.length && order[this.completedHead].until <= now) {
      this.completedUdp.delete(order[this.completedHead].key);
      this.completedHead++;
    }
    // compact now and then rather than shift() a long array each time
    if (this.completedHead > 1024 && this.completedHead * 2 > order.length) {
      order.splice(0, this.completedHead);
      this.completedHead = 0;
    }
    if (this.completedHead < order.length) this.completedTimer = this.clock.setTimeout(() => this.expireCompleted(), Math.max(1, order[this.completedHead].until - now));
  }

  private armAckWait(dialog: Dialog, txn: ServerInviteTxn): void {
    dialog.pendingAck = txn;
    dialog.inviteSeq = parseCSeq(txn.request.get('cseq'))!.seq;
    txn.onAckTimeout = () => {
      if (dialog.pendingAck !== txn || !this.dialogs.has(dialog.id)) return;
      dialog.pendingAck = undefined;
      const bye = SipMessage.request('BYE', dialog.remoteTarget);
      bye.add('Reason', 'SIP;cause=200;text="ACK timeout"');
      const sent = this.requestInDialog(dialog, bye, { onResponse: () => {} });
      if (sent) this.handlers.ackTimeout?.(dialog, sent.request);
      this.removeDialog(dialog);
    };
  }

  private createUasDialog(req: ServerRequest, res: SipMessage): Dialog {
    const m = req.msg;
    const callId = m.get('call-id')!;
    const remoteTag = tagOf(m.get('from')) ?? '';
    const contact = m.getAll('contact')[0];
    const dialog: Dialog = {
      id: dialogIdFor(callId, remoteTag),
      role: 'uas',
      method: m.method as 'INVITE' | 'SUBSCRIBE',
      callId,
      localTag: req.toTag,
      remoteTag,
      localUri: withoutTag(m.get('to')!),
      remoteUri: withoutTag(m.get('from')!),
      remoteTarget: (contact && parseNameAddr(contact)?.uri) || m.uri,
      routeSet: m.getAll('record-route'),
      localSeq: Math.floor(Math.random() * 10000) + 1,
      remoteSeq: parseCSeq(m.get('cseq'))!.seq,
      inviteSeq: parseCSeq(m.get('cseq'))!.seq,
      localContact: res.getAll('contact')[0] ?? this.contactFor(req.peer.proto),
      peer: req.peer,
      createdAt: this.clock.now(),
    };
    this.dialogs.set(dialog.id, dialog);
    return dialog;
  }

  removeDialog(d: Dialog): void {
    if (this.dialogs.get(d.id) !== d) return;
    this.dialogs.delete(d.id);
    // A BYE can overtake a lost ACK: the 2xx must not keep being retransmitted after it.
    d.pendingAck?.ack2xx();
    d.pendingAck = undefined;
    this.handlers.dialogRemoved?.(d);
  }

  // ------------------------------------------------------------------ sending requests

  /** Destination of a request: first Route (loose routing) or the Request-URI. */
  destinationFor(m: SipMessage, preferred?: Proto): Peer | undefined {
    const route = m.getAll('route')[0];
    const target = route ? parseNameAddr(route)?.uri : m.uri;
    const uri = target ? parseUri(target) : undefined;
    if (!uri || !uri.host) return undefined;
    const tp = uri.params.get('transport')?.toLowerCase();
    let proto: Proto = tp === 'tcp' ? 'tcp' : tp === 'udp' ? 'udp' : preferred ?? (this.transport.transports.includes('udp') ? 'udp' : 'tcp');
    if (!this.transport.transports.includes(proto)) proto = this.transport.transports[0];
    const host = uri.host.replace(/^\[|\]$/g, '');
    return { proto, host, port: uri.port ?? 5060 };
  }

  private addVia(m: SipMessage, proto: Proto): string {
    const branch = `z9hG4bK${randomToken(8)}`;
    m.remove('via');
    m.prepend('Via', `SIP/2.0/${proto.toUpperCase()} ${this.local.host}:${this.local.port};rport;branch=${branch}`);
    return branch;
  }

  private startClient(m: SipMessage, dest: Peer, h: ClientRequestHandlers): ClientTxn {
    const branch = this.addVia(m, dest.proto);
    const key = `${branch}|${m.method}`;
    const reliable = dest.proto !== 'udp';
    const send = this.sendTo(dest);
    let txn: ClientTxn;
    const cb = {
      onResponse: (res: SipMessage) => h.onResponse(res, txn),
      onTimeout: () => h.onTimeout?.(txn),
    };
    txn = m.method === 'INVITE'
      ? new ClientInviteTxn(this.env(), key, m, reliable, send, cb)
      : new ClientNonInviteTxn(this.env(), key, m, reliable, send, cb);
    this.clientTxns.set(key, txn);
    this.clientPeers.set(txn, dest);
    txn.onTerminated = () => { if (this.clientTxns.get(key) === txn) this.clientTxns.delete(key); };
    txn.begin();
    return txn;
  }

  /**
   * Sends a request outside any dialog. Missing Call-ID, CSeq, From (and its tag), To, Via,
   * Max-Forwards and (for INVITE/SUBSCRIBE) Contact are filled in. A 2xx to INVITE/SUBSCRIBE
   * creates a UAC dialog, found afterwards with `dialogForResponse`.
   */
  request(m: SipMessage, h: ClientRequestHandlers, opts: { dest?: Peer } = {}): ClientTxn | undefined {
    const dest = opts.dest ?? this.destinationFor(m);
    if (!dest) return undefined;
    for (const k of IMMUTABLE) if (k !== 'route') m.remove(k);
    if (!m.has('call-id')) m.add('Call-ID', `${randomToken(10)}@${this.local.host}`);
    const cseq = parseCSeq(m.get('cseq'));
    if (!cseq || cseq.method !== m.method) m.set('CSeq', `${cseq?.seq ?? 1} ${m.method}`);
    if (!m.has('from')) m.add('From', `<sip:edge@${this.local.host}:${this.local.port}>`);
    else m.set('From', m.get('from')!.replace(/@localhost\b/i, `@${this.local.host}`));
    if (!tagOf(m.get('from'))) m.set('From', `${m.get('from')};tag=${randomToken(6)}`);
    if (!m.has('to')) m.add('To', `<${m.uri}>`);
    if (!m.has('max-forwards')) m.add('Max-Forwards', '70');
    if ((m.method === 'INVITE' || m.method === 'SUBSCRIBE' || m.method === 'REFER') && !m.has('contact')) {
      m.add('Contact', this.contactFor(dest.proto));
    }
    const userOnResponse = h.onResponse;
    return this.startClient(m, dest, {
      ...h,
      onResponse: (res, txn) => {
        if ((m.method === 'INVITE' || m.method === 'SUBSCRIBE') && res.status >= 200 && res.status < 300) {
          this.ensureUacDialog(m, res, dest);
        }
        userOnResponse(res, txn);
      },
    });
  }

  private ensureUacDialog(req: SipMessage, res: SipMessage, dest: Peer): Dialog {
    const callId = req.get('call-id')!;
    const localTag = tagOf(req.get('from'))!;
    const id = dialogIdFor(callId, localTag);
    const existing = this.dialogs.get(id);
    if (existing) return existing;
    const contact = res.getAll('contact')[0];
    const seq = parseCSeq(req.get('cseq'))!.seq;
    const dialog: Dialog = {
      id,
      role: 'uac',
      method: req.method as 'INVITE' | 'SUBSCRIBE',
      callId,
      localTag,
      remoteTag: tagOf(res.get('to')) ?? '',
      localUri: withoutTag(req.get('from')!),
      remoteUri: withoutTag(req.get('to')!),
      remoteTarget: (contact && parseNameAddr(contact)?.uri) || req.uri,
      routeSet: res.getAll('record-route').reverse(),
      localSeq: seq,
      remoteSeq: undefined,
      inviteSeq: seq,
      localContact: req.getAll('contact')[0] ?? this.contactFor(dest.proto),
      peer: dest,
      createdAt: this.clock.now(),
    };
    this.dialogs.set(id, dialog);
    return dialog;
  }

  /** The dialog a response to a request we sent belongs to (after `request`). */
  dialogForResponse(req: SipMessage): Dialog | undefined {
    return this.dialogs.get(dialogIdFor(req.get('call-id')!, tagOf(req.get('from')) ?? ''));
  }

  private dialogDest(d: Dialog, m: SipMessage): Peer | undefined {
    const dest = this.destinationFor(m, d.peer.proto);
    if (!dest) return undefined;
    // Reuse the connection the dialog was set up on (the peer may be behind NAT or not listen).
    if (dest.proto === 'tcp' && d.peer.proto === 'tcp') dest.connId = d.peer.connId;
    return dest;
  }

  private fillInDialog(d: Dialog, m: SipMessage, seq: number): void {
    for (const h of [...m.headers]) {
      const k = h.key;
      if (IMMUTABLE.has(k) || DIALOG_OWNED.has(k)) m.remove(k);
    }
    m.uri = d.remoteTarget;
    for (const r of d.routeSet) m.add('Route', r);
    m.add('Max-Forwards', '70');
    m.add('From', `${d.localUri};tag=${d.localTag}`);
    m.add('To', d.remoteTag ? `${d.remoteUri};tag=${d.remoteTag}` : d.remoteUri);
    m.add('Call-ID', d.callId);
    m.add('CSeq', `${seq} ${m.method}`);
    if (TARGET_REFRESH.has(m.method) && !m.has('contact')) m.add('Contact', d.localContact);
  }

  /** Sends a request inside a dialog (not ACK, not CANCEL); `txn.request` is the message as sent. */
  requestInDialog(d: Dialog, m: SipMessage, h: ClientRequestHandlers): ClientTxn | undefined {
    d.localSeq++;
    this.fillInDialog(d, m, d.localSeq);
    const dest = this.dialogDest(d, m);
    if (!dest) return undefined;
    const method = m.method;
    const terminates = method === 'BYE' || (method === 'NOTIFY' && d.method === 'SUBSCRIBE' && /terminated/i.test(m.get('subscription-state') ?? ''));
    if (method === 'INVITE') d.inviteSeq = d.localSeq;
    return this.startClient(m, dest, {
      ...h,
      onResponse: (res, txn) => {
        if (res.status >= 200 && terminates) this.removeDialog(d);
        if (method === 'INVITE' && res.status >= 200 && res.status < 300) {
          const c = res.getAll('contact')[0];
          const na = c ? parseNameAddr(c) : undefined;
          if (na) d.remoteTarget = na.uri;
        }
        if (res.status === 481 || res.status === 408) this.removeDialog(d);
        h.onResponse(res, txn);
      },
      onTimeout: (txn) => { if (terminates) this.removeDialog(d); h.onTimeout?.(txn); },
    });
  }

  /** ACK for a 2xx to our INVITE (a transaction of its own, sent statelessly). */
  ack(d: Dialog, m: SipMessage = SipMessage.request('ACK', d.remoteTarget)): SipMessage | undefined {
    m.method = 'ACK';
    this.fillInDialog(d, m, d.inviteSeq);
    const dest = this.dialogDest(d, m);
    if (!dest) return undefined;
    this.addVia(m, dest.proto);
    d.lastAck = m;
    this.send(dest, m);
    return m;
  }

  /** CANCEL for a pending INVITE we sent (RFC 3261 9.1). */
  cancel(invite: ClientInviteTxn, extra?: SipMessage): SipMessage | undefined {
    if (invite.state !== 'calling' && invite.state !== 'proceeding') return undefined;
    const inv = invite.request;
    const c = SipMessage.request('CANCEL', inv.uri);
    for (const h of extra?.headers ?? []) {
      const k = h.key;
      if (!IMMUTABLE.has(k) && !DIALOG_OWNED.has(k)) c.headers.push({ ...h });
    }
    c.add('Via', inv.getAll('via')[0]);
    for (const r of inv.getAll('route')) c.add('Route', r);
    c.add('Max-Forwards', '70');
    c.add('From', inv.get('from')!);
    c.add('To', inv.get('to')!);
    c.add('Call-ID', inv.get('call-id')!);
    c.add('CSeq', `${parseCSeq(inv.get('cseq'))!.seq} CANCEL`);
    const branch = parseVia(inv.getAll('via')[0])!.branch!;
    const key = `${branch}|CANCEL`;
    const dest = this.destinationFor(inv) ?? { proto: 'udp', host: '127.0.0.1', port: 5060 };
    const txn = new ClientNonInviteTxn(this.env(), key, c, dest.proto !== 'udp', (x) => this.send(dest, x), {
      onResponse: () => {}, onTimeout: () => {},
    });
    this.clientTxns.set(key, txn);
    this.clientPeers.set(txn, dest);
    txn.onTerminated = () => { if (this.clientTxns.get(key) === txn) this.clientTxns.delete(key); };
    txn.begin();
    return c;
  }

  private handleResponse(res: SipMessage): void {
    const via = parseVia(res.getAll('via')[0])!;
    const method = parseCSeq(res.get('cseq'))!.method;
    const txn = this.clientTxns.get(`${via.branch}|${method}`);
    if (txn) { txn.receive(res); return; }
    if (method === 'INVITE' && res.status >= 200 && res.status < 300) {
      // 2xx retransmission after the transaction ended: re-send our ACK (RFC 3261 13.2.2.4).
      const d = this.dialogs.get(dialogIdFor(res.get('call-id')!, tagOf(res.get('from')) ?? ''));
      if (d?.lastAck) this.send(this.dialogDest(d, d.lastAck)!, d.lastAck);
      return;
    }
    this.drop(`stray response ${res.status} ${method}`);
  }

  // ------------------------------------------------------------------ lifecycle

  stats(): { transactions: number; serverTransactions: number; clientTransactions: number; dialogs: number } {
    return {
      transactions: this.serverTxns.size + this.completedUdp.size + this.clientTxns.size,
      serverTransactions: this.serverTxns.size + this.completedUdp.size,
      clientTransactions: this.clientTxns.size,
      dialogs: this.dialogs.size,
    };
  }

  /** Clears every timer; does not close the transport. */
  shutdown(): void {
    for (const t of [...this.serverTxns.values(), ...this.clientTxns.values()]) {
      t.onTerminated = undefined;
      t.terminate();
    }
    for (const g of this.guards.values()) this.clock.clearTimeout(g);
    this.guards.clear();
    if (this.completedTimer !== undefined) this.clock.clearTimeout(this.completedTimer);
    this.completedTimer = undefined;
    this.completedUdp.clear();
    this.completedOrder.length = 0;
    this.completedHead = 0;
    this.serverTxns.clear();
    this.clientTxns.clear();
    this.dialogs.clear();
  }
}
