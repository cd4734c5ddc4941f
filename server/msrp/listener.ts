// The MSRP socket shell: one TCP listener for all the PF's MSRP endpoints, the PF's own outbound
// connections, and the sessions' relay cores (relay.ts) fed with what the codec (parser.ts) cuts
// out of each connection. All protocol decisions are in the pure modules; this file moves bytes,
// keeps time and enforces connection limits (D-160, D-161, D-162).
//
// A connection is matched to a session leg by the To-Path of the requests (and responses) it
// carries: the session-id of the first URI names one of the PF's leg URIs (RFC 4975 §6, §7.1).
// The first message binds the leg to that connection; a leg bound to another connection answers
// 506. A connection that names no session of ours gets 481 and is closed.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { MsrpParser, type ParseEvent, type ParserLimits } from './parser';
import { serialize, responseTo } from './serializer';
import { describe, type MsrpMessage } from './message';
import { MsrpRelaySession, type LegId, type LegMode, type RelayAction, type RelayLegConfig } from './relay';
import type { ReassemblyLimits, WholeMessage } from './reassembly';
import { parseMsrpUri, formatMsrpUri } from './uri';

export interface MsrpListenerLimits {
  /** inbound connections at once; more are closed on arrival */
  maxConnections: number;
  /** a connection with no byte either way for this long is closed (0 = never) */
  idleTimeoutMs: number;
  /** an inbound connection must name a session (its first message) within this time */
  bindTimeoutMs: number;
  /** bytes queued for a leg whose connection is not up yet; beyond them messages are dropped */
  maxQueuedBytes: number;
  parser: Partial<ParserLimits>;
  reassembly: Partial<ReassemblyLimits>;
  /** how long a forwarded request waits for the peer's response */
  transactionTimeoutMs: number;
  /** how often timers are checked */
  tickMs: number;
}

export const DEFAULT_MSRP_LIMITS: MsrpListenerLimits = {
  maxConnections: 1024,
  idleTimeoutMs: 300_000,
  bindTimeoutMs: 10_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  parser: {},
  reassembly: {},
  transactionTimeoutMs: 20_000,
  tickMs: 250,
};

/** One MSRP message in or out of the PF, for logs and the console's session ladder. */
export interface MsrpTrace {
  sessionId?: string;
  leg?: LegId;
  dir: 'in' | 'out';
  connId: number;
  kind: 'request' | 'response' | 'invalid' | 'too-large';
  method?: string;
  code?: number;
  tid: string;
  messageId?: string;
  bodyBytes: number;
  summary: string;
}

export interface MsrpListenerOptions {
  host: string;
  /** 0: ephemeral */
  port: number;
  /** the host written in the PF's MSRP URIs and SDP (default: host) */
  advertiseHost?: string;
  limits?: Partial<MsrpListenerLimits>;
  /** a whole message arrived on a leg (after reassembly) */
  onWhole?: (sessionId: string, leg: LegId, message: WholeMessage, relayed: boolean) => void;
  /** gate mode: a one-chunk message waits for MsrpSessionHandle.decide(leg, id, verdict) */
  onDecide?: (sessionId: string, leg: LegId, id: string, message: WholeMessage) => void;
  /** the answer (or 408) to a request the PF sent itself with MsrpSessionHandle.sendRequest */
  onLocalResponse?: (sessionId: string, leg: LegId, tid: string, code: number) => void;
  /** what one target leg answered to a request relayed to it (D-164: several per request in a group) */
  onOutcome?: (sessionId: string, outcome: { leg: LegId; originLeg: LegId; messageId?: string; firstChunk: boolean; code: number }) => void;
  /** a request relayed from `leg` failed on every target; `head`: the start of its message's body */
  onFailed?: (sessionId: string, failed: { leg: LegId; messageId?: string; code: number; head?: Buffer }) => void;
  /** a leg's connection went away without the PF releasing it */
  onLegDisconnected?: (sessionId: string, leg: LegId, reason: string) => void;
  onTrace?: (t: MsrpTrace) => void;
  log?: (line: string) => void;
  now?: () => number;
}

export interface LegSpec {
  id: LegId;
  /** the far end's a=path when known */
  remotePath?: string[];
  mode?: LegMode;
  /** legs of one side never relay to each other (default: a side of its own) */
  side?: string;
}

interface Conn {
  id: number;
  socket: net.Socket;
  parser: MsrpParser;
  inbound: boolean;
  /** legs bound to this connection, as `${sessionId}\0${leg}` */
  legs: Set<string>;
  opened: number;
  lastActivity: number;
  closed: boolean;
}

interface LegRef { sessionId: string; leg: LegId }

interface SessionEntry {
  relay: MsrpRelaySession;
  /** leg → its connection */
  conns: Map<LegId, Conn>;
  /** bytes waiting for a leg's connection */
  queues: Map<LegId, { bufs: Buffer[]; bytes: number }>;
  /** leg → the PF's local session-id in its URI */
  localIds: Map<LegId, string>;
}

export interface MsrpListenerStats {
  connections: number;
  sessions: number;
  refused: Record<string, number>;
  messagesIn: number;
  messagesOut: number;
}

export class MsrpListener {
  private server!: net.Server;
  private readonly limits: MsrpListenerLimits;
  private readonly conns = new Map<number, Conn>();
  private readonly sessions = new Map<string, SessionEntry>();
  /** the PF's URI session-id → leg */
  private readonly byLocalId = new Map<string, LegRef>();
  private nextConnId = 1;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly refused: Record<string, number> = {};
  private messagesIn = 0;
  private messagesOut = 0;
  host = '';
  port = 0;

  private constructor(private readonly opts: MsrpListenerOptions) {
    this.limits = { ...DEFAULT_MSRP_LIMITS, ...opts.limits };
    this.now = opts.now ?? Date.now;
  }

  static async start(opts: MsrpListenerOptions): Promise<MsrpListener> {
    const l = new MsrpListener(opts);
    l.server = net.createServer((s) => l.accept(s));
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(opts.port, opts.host, () => { l.server.off('error', reject); resolve(); });
    });
    const a = l.server.address() as net.AddressInfo;
    l.host = opts.advertiseHost ?? opts.host;
    l.port = a.port;
    l.timer = setInterval(() => l.tick(), l.limits.tickMs);
    l.timer.unref();
    return l;
  }

  /** Creates the relay for a session; each leg gets its own PF URI (its SDP a=path). */
  createSession(sessionId: string, legs: LegSpec[]): MsrpSessionHandle {
    if (this.sessions.has(sessionId)) throw new Error(`MSRP session ${sessionId} exists`);
    const relay = new MsrpRelaySession({ sessionId, legs: [], transactionTimeoutMs: this.limits.transactionTimeoutMs, reassembly: this.limits.reassembly });
    this.sessions.set(sessionId, { relay, conns: new Map(), queues: new Map(), localIds: new Map() });
    for (const l of legs) this.addLeg(sessionId, l);
    return new MsrpSessionHandle(this, sessionId);
  }

  /** @internal A further leg of a session, with its own PF URI. */
  addLeg(sessionId: string, l: LegSpec): void {
    const e = this.entry(sessionId);
    // the PF's session-id: 16 random alphanumerics, unguessable (RFC 4975 §14.1)
    const id = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
    e.relay.addLeg({ id: l.id, localUri: this.uriFor(id), remotePath: l.remotePath, mode: l.mode, side: l.side });
    e.localIds.set(l.id, id);
    this.byLocalId.set(id, { sessionId, leg: l.id });
  }

  /** Releases every leg of a session, closes its connections and forgets it. */
  closeSession(sessionId: string): void {
    const e = this.sessions.get(sessionId);
    if (!e) return;
    for (const leg of e.relay.legIds()) this.execute(sessionId, e.relay.release(leg, this.now()));
    for (const id of e.localIds.values()) this.byLocalId.delete(id);
    this.sessions.delete(sessionId);
  }

  stats(): MsrpListenerStats {
    return { connections: this.conns.size, sessions: this.sessions.size, refused: { ...this.refused }, messagesIn: this.messagesIn, messagesOut: this.messagesOut };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const id of [...this.sessions.keys()]) this.closeSession(id);
    for (const c of this.conns.values()) this.destroy(c, 'listener closing');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- used by MsrpSessionHandle ---------------------------------------------------------------

  /** @internal */ nowMs(): number { return this.now(); }

  /** @internal */ entry(sessionId: string): SessionEntry {
    const e = this.sessions.get(sessionId);
    if (!e) throw new Error(`no MSRP session ${sessionId}`);
    return e;
  }

  /** @internal */ execute(sessionId: string, actions: RelayAction[]): void {
    const e = this.sessions.get(sessionId);
    if (!e) return;
    for (const a of actions) {
      if (a.type === 'send') this.sendOnLeg(sessionId, e, a.leg, a.message);
      else if (a.type === 'whole') this.opts.onWhole?.(sessionId, a.leg, a.message, a.relayed);
      else if (a.type === 'local-response') this.opts.onLocalResponse?.(sessionId, a.leg, a.tid, a.code);
      else if (a.type === 'decide') this.opts.onDecide?.(sessionId, a.leg, a.id, a.message);
      else if (a.type === 'close') this.unbindLeg(sessionId, e, a.leg, a.reason, true);
      else if (a.type === 'outcome') this.opts.onOutcome?.(sessionId, a);
      else if (a.type === 'failed') this.opts.onFailed?.(sessionId, a);
    }
  }

  /** @internal The PF opens the connection of a leg toward the first URI of its remote path. */
  connectLeg(sessionId: string, leg: LegId): void {
    const e = this.entry(sessionId);
    const path = e.relay.remotePath(leg);
    const first = path?.[0] ? parseMsrpUri(path[0]) : undefined;
    if (!first || first.secure || first.transport !== 'tcp') {
      this.execute(sessionId, e.relay.legDisconnected(leg, this.now()));
      this.opts.onLegDisconnected?.(sessionId, leg, first ? 'msrps/other transports are not supported' : 'no remote path');
      return;
    }
    const host = first.host.replace(/^\[(.*)\]$/, '$1');
    const socket = net.connect({ host, port: first.port });
    const c = this.track(socket, false);
    this.bind(c, sessionId, e, leg);
    socket.once('connect', () => {
      if (c.closed) return;
      this.execute(sessionId, e.relay.legConnected(leg, true, this.now()));
      this.flushQueue(sessionId, e, leg);
    });
  }

  // --- connections -----------------------------------------------------------------------------

  private uriFor(localId: string): string {
    return formatMsrpUri({ secure: false, host: this.host.includes(':') && !this.host.startsWith('[') ? `[${this.host}]` : this.host, port: this.port, portGiven: true, sessionId: localId, transport: 'tcp', params: [] });
  }

  private accept(socket: net.Socket): void {
    let inbound = 0;
    for (const c of this.conns.values()) if (c.inbound) inbound++;
    if (inbound >= this.limits.maxConnections) {
      this.count('max-connections');
      socket.destroy();
      return;
    }
    this.track(socket, true);
  }

  private track(socket: net.Socket, inbound: boolean): Conn {
    const c: Conn = {
      id: this.nextConnId++, socket, parser: new MsrpParser(this.limits.parser), inbound, legs: new Set(),
      opened: this.now(), lastActivity: this.now(), closed: false,
    };
    this.conns.set(c.id, c);
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      c.lastActivity = this.now();
      for (const ev of c.parser.push(d)) {
        if (c.closed) return;
        this.onEvent(c, ev);
      }
    });
    socket.on('error', (err) => this.opts.log?.(`msrp conn ${c.id}: ${err.message}`));
    socket.on('close', () => this.onClosed(c, 'connection closed'));
    return c;
  }

  private onEvent(c: Conn, ev: ParseEvent): void {
    if (ev.type === 'fatal') {
      this.count('unframeable');
      this.destroy(c, ev.reason);
      return;
    }
    this.messagesIn++;
    const head = ev.type === 'message' ? ev.message : ev.head;
    const toPath = head.toPath;
    let ref: LegRef | undefined;
    if (toPath?.length) {
      const u = parseMsrpUri(toPath[0]);
      ref = u?.sessionId ? this.byLocalId.get(u.sessionId) : undefined;
    } else if (c.legs.size === 1) {
      const [k] = c.legs;
      const [sessionId, leg] = k.split('\0');
      ref = { sessionId, leg };
    }
    this.trace(c, 'in', ev, ref);
    const isRequest = ev.type === 'message' ? ev.message.kind === 'request' : ev.head.method !== undefined;
    const method = ev.type === 'message' ? (ev.message.kind === 'request' ? ev.message.method : undefined) : ev.head.method;
    const e = ref ? this.sessions.get(ref.sessionId) : undefined;
    if (!ref || !e) {
      // RFC 4975 §7.3.1: a request for a session that does not exist is answered 481
      this.count('unknown-session');
      if (isRequest && method !== 'REPORT' && head.fromPath?.length && head.tid) {
        const self = toPath?.[0] ?? formatMsrpUri({ secure: false, host: this.host, port: this.port, portGiven: true, transport: 'tcp', params: [] });
        this.write(c, responseTo({ tid: head.tid, fromPath: head.fromPath }, 481, self), undefined);
      }
      if (c.legs.size === 0) this.endGracefully(c);
      return;
    }
    const bound = e.conns.get(ref.leg);
    if (bound && bound !== c) {
      // RFC 4975 §7.3.1: the session is bound to another connection
      this.count('already-bound');
      if (isRequest && method !== 'REPORT' && head.fromPath?.length) this.write(c, responseTo({ tid: head.tid, fromPath: head.fromPath }, 506, toPath![0]), ref);
      if (c.legs.size === 0) this.endGracefully(c);
      return;
    }
    const now = this.now();
    if (!bound) {
      this.bind(c, ref.sessionId, e, ref.leg);
      this.execute(ref.sessionId, e.relay.legConnected(ref.leg, false, now));
      this.flushQueue(ref.sessionId, e, ref.leg);
    }
    this.execute(ref.sessionId, e.relay.receive(ref.leg, ev, now));
  }

  private bind(c: Conn, sessionId: string, e: SessionEntry, leg: LegId): void {
    e.conns.set(leg, c);
    c.legs.add(`${sessionId}\0${leg}`);
  }

  private sendOnLeg(sessionId: string, e: SessionEntry, leg: LegId, m: MsrpMessage): void {
    const c = e.conns.get(leg);
    if (c && !c.closed && !c.socket.connecting) {
      this.write(c, m, { sessionId, leg });
      return;
    }
    const q = e.queues.get(leg) ?? { bufs: [], bytes: 0 };
    const b = serialize(m);
    if (q.bytes + b.length > this.limits.maxQueuedBytes) { this.count('queue-full'); return; }
    q.bufs.push(b);
    q.bytes += b.length;
    e.queues.set(leg, q);
    this.traceOut(undefined, m, { sessionId, leg });
  }

  private flushQueue(sessionId: string, e: SessionEntry, leg: LegId): void {
    const q = e.queues.get(leg);
    const c = e.conns.get(leg);
    if (!q || !c || c.closed) return;
    e.queues.delete(leg);
    for (const b of q.bufs) { c.socket.write(b); this.messagesOut++; }
  }

  private write(c: Conn, m: MsrpMessage, ref: LegRef | undefined): void {
    if (c.closed) return;
    c.socket.write(serialize(m));
    c.lastActivity = this.now();
    this.messagesOut++;
    this.traceOut(c, m, ref);
  }

  /** A leg's connection is given up: by release (close it if no other leg uses it) or by loss. */
  private unbindLeg(sessionId: string, e: SessionEntry, leg: LegId, reason: string, closeSocket: boolean): void {
    e.queues.delete(leg);
    const c = e.conns.get(leg);
    if (!c) return;
    e.conns.delete(leg);
    c.legs.delete(`${sessionId}\0${leg}`);
    if (closeSocket && c.legs.size === 0) this.endGracefully(c, reason);
  }

  private onClosed(c: Conn, reason: string): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c.id);
    const now = this.now();
    for (const k of [...c.legs]) {
      const [sessionId, leg] = k.split('\0');
      const e = this.sessions.get(sessionId);
      if (!e || e.conns.get(leg) !== c) continue;
      e.conns.delete(leg);
      this.execute(sessionId, e.relay.legDisconnected(leg, now));
      this.opts.onLegDisconnected?.(sessionId, leg, reason);
    }
    c.legs.clear();
  }

  /** Sends what was written, then closes. */
  private endGracefully(c: Conn, reason = 'no session'): void {
    if (c.closed) return;
    this.opts.log?.(`msrp conn ${c.id} closing: ${reason}`);
    c.socket.end();
    setTimeout(() => c.socket.destroy(), 2000).unref();
  }

  private destroy(c: Conn, reason: string): void {
    this.opts.log?.(`msrp conn ${c.id} dropped: ${reason}`);
    c.socket.destroy();
    this.onClosed(c, reason);
  }

  private tick(): void {
    const now = this.now();
    // poll() also expires idle partial messages, so every session is polled, not only those due
    for (const [sessionId, e] of this.sessions) this.execute(sessionId, e.relay.poll(now));
    for (const c of [...this.conns.values()]) {
      if (c.inbound && c.legs.size === 0 && now - c.opened >= this.limits.bindTimeoutMs) { this.count('bind-timeout'); this.destroy(c, 'named no session'); continue; }
      if (this.limits.idleTimeoutMs > 0 && now - c.lastActivity >= this.limits.idleTimeoutMs) { this.count('idle'); this.destroy(c, 'idle'); }
    }
  }

  private count(reason: string): void { this.refused[reason] = (this.refused[reason] ?? 0) + 1; }

  private trace(c: Conn, dir: 'in' | 'out', ev: Exclude<ParseEvent, { type: 'fatal' }>, ref: LegRef | undefined): void {
    if (!this.opts.onTrace) return;
    if (ev.type === 'message') return this.opts.onTrace(traceOf(c.id, dir, ev.message, ref));
    this.opts.onTrace({
      sessionId: ref?.sessionId, leg: ref?.leg, dir, connId: c.id, kind: ev.type, method: ev.head.method, code: ev.head.code, tid: ev.head.tid,
      messageId: ev.head.messageId, bodyBytes: 0, summary: ev.type === 'invalid' ? `${ev.head.method ?? 'MSRP'} ${ev.head.tid} invalid: ${ev.reason}` : `${ev.head.method} ${ev.head.tid} too large`,
    });
  }

  private traceOut(c: Conn | undefined, m: MsrpMessage, ref: LegRef | undefined): void {
    this.opts.onTrace?.(traceOf(c?.id ?? 0, 'out', m, ref));
  }
}

function traceOf(connId: number, dir: 'in' | 'out', m: MsrpMessage, ref: LegRef | undefined): MsrpTrace {
  return {
    sessionId: ref?.sessionId, leg: ref?.leg, dir, connId, kind: m.kind, tid: m.tid, summary: describe(m),
    method: m.kind === 'request' ? m.method : undefined, code: m.kind === 'response' ? m.code : undefined,
    messageId: m.kind === 'request' ? m.messageId : undefined, bodyBytes: m.kind === 'request' ? m.body?.length ?? 0 : 0,
  };
}

/** What the session shell holds for one session's media plane. */
export class MsrpSessionHandle {
  constructor(private readonly l: MsrpListener, readonly sessionId: string) {}

  /** The PF's URI for a leg: the a=path to put in the SDP sent on that leg. */
  localUri(leg: LegId): string { return this.l.entry(this.sessionId).relay.localUri(leg); }
  /** A further leg (another device of the served user, a re-joining client): its own PF URI. */
  addLeg(spec: LegSpec): void { this.l.addLeg(this.sessionId, spec); }
  has(leg: LegId): boolean { return this.l.entry(this.sessionId).relay.has(leg); }
  side(leg: LegId): string { return this.l.entry(this.sessionId).relay.side(leg); }
  legIds(): LegId[] { return this.l.entry(this.sessionId).relay.legIds(); }
  setRemotePath(leg: LegId, path: string[]): void { this.l.entry(this.sessionId).relay.setRemotePath(leg, path); }
  /** A released or lost leg comes back with a new far-end path (re-join); its new connection binds it again. */
  rejoin(leg: LegId, path: string[]): void { this.l.entry(this.sessionId).relay.rejoin(leg, path); }
  setMode(leg: LegId, mode: LegMode): void { this.l.entry(this.sessionId).relay.setMode(leg, mode); }
  /** The PF is the active side on this leg (D-161): open the connection toward its remote path. */
  connect(leg: LegId): void { this.l.connectLeg(this.sessionId, leg); }
  /** RELEASE_MEDIA for one leg: its MSRP connection is closed. */
  release(leg: LegId): void {
    const e = this.l.entry(this.sessionId);
    this.l.execute(this.sessionId, e.relay.release(leg, this.l.nowMs()));
  }
  /** A request of the PF's own on a leg (e.g. a deferred message on re-join); the answer comes to onLocalResponse. */
  sendRequest(leg: LegId, req: Parameters<MsrpRelaySession['sendRequest']>[1]): string {
    const e = this.l.entry(this.sessionId);
    const { tid, actions } = e.relay.sendRequest(leg, req, this.l.nowMs());
    this.l.execute(this.sessionId, actions);
    return tid;
  }
  /** The verdict on a message held in gate mode (onDecide): relay it, or answer it with a code. */
  decide(leg: LegId, id: string, verdict: 'relay' | { code: number; comment?: string }): void {
    const e = this.l.entry(this.sessionId);
    this.l.execute(this.sessionId, e.relay.decide(leg, id, verdict, this.l.nowMs()));
  }
  state(leg: LegId) { return this.l.entry(this.sessionId).relay.state(leg); }
  close(): void { this.l.closeSession(this.sessionId); }
}
