// The server side of drachtio's control protocol (see design/DRACHTIO-PROTOCOL.md) on top of
// the SIP UA core: apps connect, authenticate, route verbs, receive requests/responses and send
// SIP through `sip|<txn>|<dialog>` frames.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { corkPerTurn } from './cork-per-turn';
import { dialogIdFor, type Dialog } from './dialog';
import { SipMessage, appHeaderName, headerKey, parseSipMessage } from './sip/message';
import { parseCSeq, tagOf } from './sip/headers';
import type { ClientTxn } from './transaction';
import { ClientInviteTxn } from './transaction';
import type { Peer } from './transport';
import { REASON_PHRASES, type ServerRequest, type SipUa } from './ua';

export const EDGE_VERSION = 'v0.9.2-edge';

const MAX_LENGTH_DIGITS = 5; // drachtio-server rejects longer length prefixes (BaseClient::readMessageLength)

interface AppConn {
  id: number;
  socket: net.Socket;
  authenticated: boolean;
  buf: Buffer;
  routes: Set<string>;
  tags: string[];
  /**
   * The app asked for byte strings (tag BYTE_STRINGS_TAG): each SIP message travels as one
   * character per byte (latin1), so binary and compressed bodies survive srf's UTF-8 decoding.
   */
  bytes: boolean;
}

/**
 * Tag an app sends in `authenticate` to receive and send SIP messages as byte strings. A real
 * drachtio-server ignores it (its apps get UTF-8 text, so binary bodies are not carried there).
 */
export const BYTE_STRINGS_TAG = 'byte-strings';

type TxnEntry =
  | { kind: 'server'; app: AppConn; req: ServerRequest }
  | { kind: 'client'; app: AppConn; txn: ClientTxn };

export interface ControlOptions {
  host: string;
  port: number;
  secret: string;
  log?: (line: string) => void;
}

/** `HH:MM:SS.uuuuuu` of the current UTC day, as drachtio-server writes it. */
export function stackTime(ms = Date.now()): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** Parses an app's skeleton message: body is the rest of the frame, header names normalised. */
export function parseSkeleton(raw: string, bytes = false): SipMessage {
  const m = parseSipMessage(Buffer.from(raw, bytes ? 'latin1' : 'utf8'), { ignoreContentLength: true });
  for (const h of m.headers) h.name = appHeaderName(h.name);
  return m;
}

export class ControlServer {
  private server: net.Server | undefined;
  private apps = new Set<AppConn>();
  private nextAppId = 1;
  private rr = new Map<string, number>();
  private txns = new Map<string, TxnEntry>();
  private readonly sweeper = setInterval(() => this.sweep(), 10_000).unref();
  private txnOfRequest = new WeakMap<ServerRequest, string>();
  private dialogOwner = new Map<string, AppConn>();
  address = { host: '', port: 0 };

  constructor(private readonly ua: SipUa, private readonly opts: ControlOptions) {
    ua.handlers = {
      request: (req) => this.onNetworkRequest(req),
      cancel: (invite, cancel, peer) => this.onCancel(invite, cancel, peer),
      ackTimeout: (dialog, bye) => this.onAckTimeout(dialog, bye),
      dialogRemoved: (d) => this.dialogOwner.delete(d.id),
    };
  }

  private log(s: string): void { this.opts.log?.(s); }

  async listen(): Promise<void> {
    const srv = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.opts.port, this.opts.host, () => { srv.off('error', reject); resolve(); });
    });
    this.server = srv;
    this.address = { host: this.opts.host, port: (srv.address() as net.AddressInfo).port };
  }

  stats(): { apps: number; appTransactions: number } {
    this.sweep();
    return { apps: [...this.apps].filter((a) => a.authenticated).length, appTransactions: this.txns.size };
  }

  /**
   * Forgets app transactions whose SIP transaction has ended without the app's final answer (the
   * stack answered it, or the answer came too late): nothing can be sent on them any more.
   */
  sweep(): number {
    let n = 0;
    for (const [id, e] of this.txns) {
      if (e.kind === 'server' && (!e.req.txn || e.req.txn.state === 'terminated')) {
        this.txns.delete(id);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const a of this.apps) a.socket.destroy();
    this.apps.clear();
    this.txns.clear();
    this.dialogOwner.clear();
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  // ------------------------------------------------------------------ connections and framing

  /** An app's connection that did not come through the control port: an in-process link (D-297). */
  acceptLink(socket: net.Socket): void {
    this.accept(socket);
  }

  private accept(socket: net.Socket): void {
    const app: AppConn = { id: this.nextAppId++, socket, authenticated: false, buf: Buffer.alloc(0), routes: new Set(), tags: [], bytes: false };
    this.apps.add(app);
    socket.setNoDelay(true);
    corkPerTurn(socket);
    socket.on('data', (chunk) => this.onData(app, chunk));
    socket.on('error', (e) => this.log(`control app#${app.id} error ${e.message}`));
    socket.on('close', () => this.dropApp(app));
  }

  private dropApp(app: AppConn): void {
    this.apps.delete(app);
    for (const [id, e] of this.txns) {
      if (e.app !== app) continue;
      this.txns.delete(id);
      // Nobody is left to answer: fail the request now rather than leave its transaction open.
      if (e.kind === 'server' && (e.req.txn?.state === 'trying' || e.req.txn?.state === 'proceeding')) {
        this.ua.respondStatus(e.req, 503);
      }
    }
    for (const [id, a] of this.dialogOwner) if (a === app) this.dialogOwner.delete(id);
  }

  private onData(app: AppConn, chunk: Buffer): void {
    app.buf = app.buf.length ? Buffer.concat([app.buf, chunk]) : chunk;
    for (let guard = 0; guard < 100000; guard++) {
      const hash = app.buf.indexOf(0x23); // '#'
      if (hash < 0) {
        if (app.buf.length > MAX_LENGTH_DIGITS || !/^\d*$/.test(app.buf.toString('latin1'))) this.kill(app, 'bad length prefix');
        return;
      }
      const digits = app.buf.toString('latin1', 0, hash);
      if (!/^\d{1,5}$/.test(digits)) { this.kill(app, 'bad length prefix'); return; }
      const len = Number(digits);
      if (app.buf.length < hash + 1 + len) return;
      const payload = app.buf.toString('utf8', hash + 1, hash + 1 + len);
      app.buf = app.buf.subarray(hash + 1 + len);
      try {
        this.onFrame(app, payload);
      } catch (e) {
        this.log(`control app#${app.id} frame error: ${(e as Error).stack}`);
      }
      if (app.socket.destroyed) return;
    }
  }

  private kill(app: AppConn, why: string): void {
    this.log(`control app#${app.id}: ${why}, closing`);
    app.socket.destroy();
  }

  private write(app: AppConn, payload: string): void {
    if (app.socket.destroyed) return;
    // the socket holds the frames of one turn for one write (corkPerTurn, D-251)
    app.socket.write(`${Buffer.byteLength(payload, 'utf8')}#${payload}`);
  }

  /** A serialized SIP message as the app reads it: byte string or UTF-8 text. */
  private text(app: AppConn, buf: Buffer): string {
    return buf.toString(app.bytes ? 'latin1' : 'utf8');
  }

  private reply(app: AppConn, rid: string, text: string): void {
    this.write(app, `${randomUUID()}|response|${rid}|${text}`);
  }

  // ------------------------------------------------------------------ app → server

  private onFrame(app: AppConn, payload: string): void {
    const eol = payload.indexOf('\r\n');
    const leader = eol < 0 ? payload : payload.slice(0, eol);
    const raw = eol < 0 ? '' : payload.slice(eol + 2);
    const tokens = leader.split('|');
    const [msgId, type] = tokens;
    if (type === 'authenticate') {
      if (tokens[2] === this.opts.secret) {
        app.authenticated = true;
        app.tags = (tokens[3] ?? '').split(',').filter(Boolean);
        app.bytes = app.tags.includes(BYTE_STRINGS_TAG);
        const hp = this.ua.transport.transports.map((t) => `${t}/${this.ua.local.host}:${this.ua.local.port}`).join(',');
        this.reply(app, msgId, `OK|${hp}|${EDGE_VERSION}|${hp}`);
      } else {
        this.reply(app, msgId, 'NO|incorrect secret');
        app.socket.end();
        setTimeout(() => app.socket.destroy(), 100).unref();
      }
      return;
    }
    if (!app.authenticated) { this.kill(app, 'message before authenticate'); return; }
    switch (type) {
      case 'route':
        app.routes.add((tokens[2] ?? '').toLowerCase());
        this.reply(app, msgId, 'OK');
        return;
      case 'remove_route':
        app.routes.delete((tokens[2] ?? '').toLowerCase());
        this.reply(app, msgId, 'OK');
        return;
      case 'ping':
        this.reply(app, msgId, 'OK');
        return;
      case 'sip':
        this.onSip(app, msgId, tokens, raw);
        return;
      case 'proxy':
        // Documented gap (PARITY.md): the embedded edge is not a stateful proxy.
        this.reply(app, msgId, 'NOK|proxy is not supported by the embedded edge');
        return;
      default:
        this.reply(app, msgId, 'NO|Unknown message type');
    }
  }

  private meta(source: 'network' | 'application', m: SipMessage, peer: Peer | undefined, bytes: number): string {
    return `${source}|${bytes}|${peer?.proto ?? 'udp'}|${peer?.host ?? ''}|${peer?.port ?? ''}|${stackTime()}`;
  }

  private onSip(app: AppConn, msgId: string, tokens: string[], raw: string): void {
    const txnId = tokens[2] ?? '';
    const dialogId = tokens[3] ?? '';
    const routeUrl = tokens[4] ?? '';
    let skel: SipMessage;
    try {
      skel = parseSkeleton(raw, app.bytes);
    } catch (e) {
      this.reply(app, msgId, `NOK|Server error: unparseable SIP message (${(e as Error).message})`);
      return;
    }
    if (!skel.isRequest) { this.sendResponse(app, msgId, txnId, skel); return; }
    if (dialogId) { this.sendInDialog(app, msgId, dialogId, skel); return; }
    if (txnId) {
      if (skel.method === 'CANCEL') { this.sendCancel(app, msgId, txnId, skel); return; }
      this.reply(app, msgId, 'NOK|only CANCEL may be sent inside a transaction');
      return;
    }
    const callId = skel.get('call-id');
    const existing = callId ? this.ua.findDialogByCallId(callId) : undefined;
    if (existing) { this.sendInDialog(app, msgId, existing.id, skel); return; }
    this.sendOutsideDialog(app, msgId, skel, routeUrl);
  }

  private sendResponse(app: AppConn, msgId: string, txnId: string, skel: SipMessage): void {
    const entry = txnId ? this.txns.get(txnId) : undefined;
    if (!entry || entry.kind !== 'server') {
      const method = parseCSeq(skel.get('cseq'))?.method;
      this.reply(app, msgId, method === 'CANCEL'
        ? 'NOK|200 OK to incoming CANCEL is automatically generated by the stack'
        : txnId ? 'NOK|Response not sent due to unknown transaction' : 'NOK|transaction id missing');
      return;
    }
    const req = entry.req;
    const sent = this.ua.respond(req, skel);
    if (!sent) {
      // The transaction is over: the entry can never be answered, so it must not stay.
      if (!req.txn || req.txn.state === 'terminated') this.txns.delete(txnId);
      this.reply(app, msgId, 'NOK|Response not sent due to unknown transaction');
      return;
    }
    let dialogId = req.dialog?.id ?? '';
    if (!req.dialog && sent.status >= 200 && sent.status < 300 && (req.msg.method === 'INVITE' || req.msg.method === 'SUBSCRIBE')) {
      const d = this.ua.dialogs.get(dialogIdFor(req.msg.get('call-id')!, tagOf(req.msg.get('from')) ?? ''));
      if (d) { dialogId = d.id; this.dialogOwner.set(d.id, app); }
    }
    if (sent.status >= 200) this.txns.delete(txnId);
    const buf = sent.toBuffer();
    this.reply(app, msgId, `OK|${this.meta('application', sent, req.peer, buf.length)}|${txnId}|${dialogId}||Msg sent:|\r\n${this.text(app, buf)}`);
  }

  private deliverResponse(app: AppConn, txnId: string, res: SipMessage, peer: Peer | undefined, dialogId: string): void {
    const buf = res.toBuffer();
    this.write(app, `${randomUUID()}|sip|${this.meta('network', res, peer, buf.length)}|${txnId}|${dialogId}|\r\n${this.text(app, buf)}`);
  }

  private sendOutsideDialog(app: AppConn, msgId: string, skel: SipMessage, routeUrl: string): void {
    if (skel.body.length && !skel.has('content-type')) {
      if (/^v=0/.test(skel.body.toString('latin1', 0, 3))) skel.add('Content-Type', 'application/sdp');
      else { this.reply(app, msgId, 'NOK|missing content-type'); return; }
    }
    let dest: Peer | undefined;
    if (routeUrl) {
      const probe = SipMessage.request(skel.method, routeUrl.startsWith('sip') ? routeUrl : `sip:${routeUrl}`);
      dest = this.ua.destinationFor(probe);
    }
    const txnId = randomUUID();
    const method = skel.method;
    const txn = this.ua.request(skel, {
      onResponse: (res, t) => {
        let dialogId = '';
        if ((method === 'INVITE' || method === 'SUBSCRIBE') && tagOf(res.get('to')) && res.status > 100) {
          dialogId = `${t.request.get('call-id')};from-tag=${tagOf(t.request.get('from'))}`;
          if (res.status < 300 && this.ua.dialogs.has(dialogId)) this.dialogOwner.set(dialogId, app);
        }
        if (res.status >= 200 && method !== 'INVITE') this.txns.delete(txnId);
        if (res.status >= 200 && method === 'INVITE' && (res.status >= 300 || t.state === 'accepted')) this.txns.delete(txnId);
        this.deliverResponse(app, txnId, res, this.ua.clientPeers.get(t), dialogId);
      },
      onTimeout: (t) => {
        this.txns.delete(txnId);
        this.deliverResponse(app, txnId, synth408(t.request), this.ua.clientPeers.get(t), '');
      },
    }, { dest });
    if (!txn) { this.reply(app, msgId, 'NOK|Server error: unable to determine destination of request'); return; }
    this.txns.set(txnId, { kind: 'client', app, txn });
    const buf = txn.request.toBuffer();
    this.reply(app, msgId, `OK|${this.meta('application', txn.request, this.ua.clientPeers.get(txn), buf.length)}|${txnId}|Msg sent:|\r\n${this.text(app, buf)}`);
  }

  private sendInDialog(app: AppConn, msgId: string, dialogId: string, skel: SipMessage): void {
    const d = this.ua.dialogs.get(dialogId);
    if (!d) { this.reply(app, msgId, 'NOK|Server error: unable to find dialog for dialog id provided'); return; }
    if (skel.method === 'ACK') {
      if (d.role !== 'uac') { this.reply(app, msgId, 'NOK|Server error: ACK for non-success final response is automatically generated by server'); return; }
      const sent = this.ua.ack(d, skel);
      if (!sent) { this.reply(app, msgId, 'NOK|Server error: unable to find route when sending request inside dialog'); return; }
      const buf = sent.toBuffer();
      this.reply(app, msgId, `OK|${this.meta('application', sent, d.peer, buf.length)}|${randomUUID()}|Msg sent:|\r\n${this.text(app, buf)}`);
      return;
    }
    this.dialogOwner.set(d.id, app);
    const txnId = randomUUID();
    const txn = this.ua.requestInDialog(d, skel, {
      onResponse: (res, t) => {
        if (res.status >= 200) this.txns.delete(txnId);
        this.deliverResponse(app, txnId, res, this.ua.clientPeers.get(t), d.id);
      },
      onTimeout: (t) => {
        this.txns.delete(txnId);
        this.deliverResponse(app, txnId, synth408(t.request), this.ua.clientPeers.get(t), d.id);
      },
    });
    if (!txn) { this.reply(app, msgId, 'NOK|Server error: unable to find route when sending request inside dialog'); return; }
    this.txns.set(txnId, { kind: 'client', app, txn });
    const buf = txn.request.toBuffer();
    this.reply(app, msgId, `OK|${this.meta('application', txn.request, this.ua.clientPeers.get(txn), buf.length)}|${txnId}|Msg sent:|\r\n${this.text(app, buf)}`);
  }

  private sendCancel(app: AppConn, msgId: string, txnId: string, skel: SipMessage): void {
    const entry = this.txns.get(txnId);
    if (!entry || entry.kind !== 'client' || !(entry.txn instanceof ClientInviteTxn)) {
      this.reply(app, msgId, 'NOK|Server error: unknown transaction id for CANCEL');
      return;
    }
    const sent = this.ua.cancel(entry.txn, skel);
    if (!sent) { this.reply(app, msgId, 'NOK|Server error: INVITE is no longer in progress'); return; }
    const buf = sent.toBuffer();
    this.reply(app, msgId, `OK|${this.meta('application', sent, this.ua.clientPeers.get(entry.txn), buf.length)}|${txnId}|Msg sent:|\r\n${this.text(app, buf)}`);
  }

  // ------------------------------------------------------------------ network → app

  private pickApp(verb: string): AppConn | undefined {
    const candidates = [...this.apps].filter((a) => a.authenticated && a.routes.has(verb));
    if (!candidates.length) return undefined;
    const n = this.rr.get(verb) ?? 0;
    this.rr.set(verb, n + 1);
    return candidates[n % candidates.length];
  }

  /** No application takes the method: 501 with what they do take (RFC 3261 §21.5.2), or 503 with none connected. */
  private noApp(req: ServerRequest): void {
    const allow = new Set<string>();
    for (const a of this.apps) if (a.authenticated) for (const r of a.routes) allow.add(r.toUpperCase());
    if (!allow.size) {
      this.ua.respondStatus(req, 503);
      return;
    }
    const res = SipMessage.response(501, 'Not Implemented');
    res.add('Allow', [...allow].sort().join(', '));
    this.ua.respond(req, res);
  }

  private onNetworkRequest(req: ServerRequest): void {
    const m = req.msg;
    const buf = m.toBuffer();
    if (req.dialog) {
      const app = this.dialogOwner.get(req.dialog.id);
      if (!app) {
        if (m.method !== 'ACK') this.ua.respondStatus(req, 481);
        return;
      }
      const txnId = randomUUID();
      if (req.txn) { this.txns.set(txnId, { kind: 'server', app, req }); this.txnOfRequest.set(req, txnId); }
      this.write(app, `${randomUUID()}|sip|${this.meta('network', m, req.peer, buf.length)}|${txnId}|${req.dialog.id}|\r\n${this.text(app, buf)}`);
      return;
    }
    // methods are case-sensitive (RFC 3261 §7.1): "message" is not MESSAGE
    const verb = m.method.toLowerCase();
    const app = m.method === verb.toUpperCase() ? this.pickApp(verb) : undefined;
    if (!app) {
      if (m.method !== 'ACK') this.noApp(req);
      return;
    }
    const txnId = randomUUID();
    this.txns.set(txnId, { kind: 'server', app, req });
    this.txnOfRequest.set(req, txnId);
    const local = this.ua.local;
    this.write(app, `${randomUUID()}|sip|${this.meta('network', m, req.peer, buf.length)}|${txnId}||${local.host}|${local.port}|\r\n${this.text(app, buf)}`);
  }

  private onCancel(invite: ServerRequest, cancel: SipMessage, peer: Peer): void {
    const txnId = this.txnOfRequest.get(invite);
    if (!txnId) return;
    const entry = this.txns.get(txnId);
    this.txns.delete(txnId);
    if (!entry) return;
    const buf = cancel.toBuffer();
    this.write(entry.app, `${randomUUID()}|sip|${this.meta('network', cancel, peer, buf.length)}|${txnId}||\r\n${this.text(entry.app, buf)}`);
  }

  private onAckTimeout(dialog: Dialog, bye: SipMessage): void {
    const app = this.dialogOwner.get(dialog.id);
    if (!app) return;
    const buf = bye.toBuffer();
    this.write(app, `${randomUUID()}|sip|${this.meta('application', bye, dialog.peer, buf.length)}|unsolicited|${dialog.id}|\r\n${this.text(app, buf)}`);
  }
}

/** The 408 a transaction timeout is reported to the app as (sofia's nta does the same). */
function synth408(req: SipMessage): SipMessage {
  const r = SipMessage.response(408, REASON_PHRASES[408]);
  for (const v of req.getAll('via').slice(0, 1)) r.add('Via', v);
  for (const h of ['from', 'to', 'call-id', 'cseq']) { const v = req.get(h); if (v) r.add(headerKey(h), v); }
  return r;
}
