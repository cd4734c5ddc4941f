// UDP and TCP SIP transports. Delivers whole messages (datagrams, or frames cut out of TCP
// streams by Content-Length) with the peer they came from; sends to a peer, reusing an open TCP
// connection to it (the one a request came in on, or one opened earlier) before opening a new one.
import dgram from 'node:dgram';
import net from 'node:net';
import { sipHead } from '../capture/sip-head';
import { nowUs, type WireTap } from '../capture/wire';

export type Proto = 'udp' | 'tcp';

export interface Peer {
  proto: Proto;
  host: string;
  port: number;
  /** For TCP: the connection the message arrived on (responses go back on it). */
  connId?: number;
}

/** Bounds on SIP over TCP (issue 18: unbounded connections, buffers and slowloris). */
export interface TcpLimits {
  /** Accepted connections at once, all sources together; more are closed on arrival. */
  maxConnections: number;
  /** Accepted connections at once from one source address. */
  maxConnectionsPerSource: number;
  /** A message must be complete this long after its first byte, or the connection is closed. */
  headerTimeoutMs: number;
  /** A connection with no byte in either direction for this long is closed (0 = never). */
  idleTimeoutMs: number;
  /** Bytes of an unfinished message kept per connection; beyond them the connection is closed. */
  maxBufferBytes: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 1024,
  maxConnectionsPerSource: 64,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  maxBufferBytes: 131_072,
};

export interface TransportOptions {
  host: string;
  port: number;
  transports: Proto[];
  log?: (line: string) => void;
  /** where refusals by the TCP limits are reported (at most one line a second) */
  warn?: (line: string) => void;
  /** Largest message accepted on a stream before the connection is dropped (default tcp.maxBufferBytes). */
  maxMessageBytes?: number;
  tcp?: Partial<TcpLimits>;
}

export type MessageHandler = (buf: Buffer, peer: Peer) => void;

const CRLF2 = Buffer.from('\r\n\r\n');

/** Cuts SIP messages out of a byte stream using Content-Length (RFC 3261 18.3). */
export class StreamFramer {
  /** bytes of the unfinished message(s): store[0, len) */
  private store: Buffer = Buffer.alloc(0);
  private len = 0;
  private lead = '';
  /** how far the search for the end of the headers got (the bytes before it hold no CRLFCRLF) */
  private scanned = 0;
  /** length of the message being received, once its headers are complete */
  private total = -1;
  constructor(private readonly onMessage: (m: Buffer) => void, private readonly onKeepAlive: () => void,
    private readonly maxBytes = 1 << 20) {}

  /** Bytes of an unfinished message held. */
  get pending(): number { return this.len; }
  /** Messages cut out so far. */
  completed = 0;

  /** Returns false when the stream is beyond repair (caller closes the connection). */
  push(chunk: Buffer): boolean {
    let from = 0;
    if (this.len === 0) {
      // RFC 5626 keep-alive: a double CRLF "ping" is answered with a single CRLF "pong".
      // The ping may itself arrive split across reads, so the run of CR/LF is tracked across pushes.
      from = this.skipKeepAlives(chunk, 0);
      if (from === chunk.length) return true;
    }
    this.append(chunk.subarray(from));
    for (let guard = 0; guard < 10000; guard++) {
      const buf = this.store.subarray(0, this.len);
      if (this.total < 0) {
        const he = buf.indexOf(CRLF2, Math.max(0, this.scanned - 3));
        if (he < 0) {
          this.scanned = this.len;
          return this.len <= this.maxBytes;
        }
        const head = buf.toString('latin1', 0, he);
        const lengths = [...head.matchAll(/(?:^|\r\n)(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi)].map((m) => m[1].trim());
        // not a number, or two values that differ: the stream cannot be framed (RFC 3261 §18.3)
        if (lengths.some((v) => !/^\d{1,10}$/.test(v)) || new Set(lengths.map(Number)).size > 1) return false;
        this.total = he + 4 + (lengths.length ? Number(lengths[0]) : 0);
        if (this.total > this.maxBytes) return false;
      }
      if (this.len < this.total) return true;
      const msg = Buffer.from(buf.subarray(0, this.total));
      const rest = buf.subarray(this.total);
      this.total = -1;
      this.scanned = 0;
      const skip = this.skipKeepAlives(rest, 0);
      // keep no reference to a large store once a message is out
      this.store = Buffer.from(rest.subarray(skip));
      this.len = this.store.length;
      this.completed++;
      this.onMessage(msg);
      if (!this.len) return true;
    }
    return true;
  }

  private skipKeepAlives(b: Buffer, at: number): number {
    let i = at;
    while (i < b.length && (b[i] === 0x0d || b[i] === 0x0a)) {
      this.lead = (this.lead + (b[i] === 0x0d ? '\r' : '\n')).slice(-4);
      if (this.lead === '\r\n\r\n') { this.onKeepAlive(); this.lead = ''; }
      i++;
    }
    if (i < b.length) this.lead = '';
    return i;
  }

  /** Appends with a doubling store, so a trickle costs linear, not quadratic, copying. */
  private append(b: Buffer): void {
    if (!b.length) return;
    if (this.len + b.length > this.store.length) {
      const next = Buffer.allocUnsafe(Math.max(this.len + b.length, Math.min(this.store.length * 2, this.maxBytes + 65536), 1024));
      this.store.copy(next, 0, 0, this.len);
      this.store = next;
    }
    b.copy(this.store, this.len);
    this.len += b.length;
  }
}

interface TcpConn {
  id: number;
  socket: net.Socket;
  key: string; // remote host:port
  connected: boolean;
  queue: Buffer[];
  /** accepted (counted against the limits), not opened by us */
  inbound: boolean;
  source: string;
  framer: StreamFramer;
  /** when the unfinished message's first byte arrived (0: none pending) */
  messageStart: number;
  lastActivity: number;
}

/** SO_RCVBUF asked for the UDP socket (D-151) */
export const UDP_RECV_BUFFER_BYTES = 1 << 20;

export class Transport {
  udp: dgram.Socket | undefined;
  tcp: net.Server | undefined;
  address = { host: '', port: 0 };
  private conns = new Map<number, TcpConn>();
  private byKey = new Map<string, TcpConn>();
  private nextConnId = 1;
  private handler: MessageHandler = () => {};
  /** observers of every message in and out (metrics, HEP, capture); see addTap */
  private taps: WireTap[] = [];
  private closed = false;
  private readonly limits: TcpLimits;
  private readonly perSource = new Map<string, number>();
  private inboundCount = 0;
  private sweeper: NodeJS.Timeout | undefined;
  /** connections refused or closed by the limits, by reason */
  readonly tcpDrops = { overall: 0, perSource: 0, headerTimeout: 0, idle: 0, buffer: 0, framing: 0 };

  constructor(private readonly opts: TransportOptions) {
    this.limits = { ...DEFAULT_TCP_LIMITS, ...opts.tcp };
  }

  onMessage(h: MessageHandler): void { this.handler = h; }

  /** Sees every whole message received and every message sent, as bytes, with both addresses. */
  addTap(tap: WireTap): void { this.taps.push(tap); }

  private tapped(direction: 'in' | 'out', proto: Proto, bytes: Buffer, remote: { host: string; port: number }, local: { host: string; port: number }): void {
    const atUs = nowUs();
    const [src, dst] = direction === 'in' ? [remote, local] : [local, remote];
    const head = sipHead(bytes);
    for (const tap of this.taps) {
      try {
        tap({ direction, proto, src, dst, atUs, bytes, head });
      } catch (e) {
        // an observer's failure must not touch SIP
        this.log(`tap error: ${(e as Error).message}`);
      }
    }
  }

  get transports(): Proto[] { return this.opts.transports; }

  async listen(): Promise<void> {
    const want = this.opts.transports;
    // UDP and TCP share one port number so Via/Contact are right for both; with port 0 the
    // UDP port is taken first and TCP retried on a fresh one if that number is busy for TCP.
    for (let attempt = 0; attempt < 10; attempt++) {
      let port = this.opts.port;
      if (want.includes('udp')) {
        // A larger receive buffer than Linux's default (208 KiB, ~100 requests) rides out the
        // moments the loop is busy; the kernel caps it at net.core.rmem_max (D-151).
        const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: UDP_RECV_BUFFER_BYTES });
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(port, this.opts.host, () => { udp.off('error', reject); resolve(); });
        });
        port = udp.address().port;
        this.udp = udp;
        udp.on('message', (buf, rinfo) => {
          if (this.closed) return;
          this.safeDeliver(buf, { proto: 'udp', host: rinfo.address, port: rinfo.port });
        });
        udp.on('error', (e) => this.log(`udp error ${e.message}`));
      }
      if (want.includes('tcp')) {
        const srv = net.createServer((s) => this.accept(s));
        try {
          await new Promise<void>((resolve, reject) => {
            srv.once('error', reject);
            srv.listen(port, this.opts.host, () => { srv.off('error', reject); resolve(); });
          });
        } catch (e) {
          this.udp?.close();
          this.udp = undefined;
          if (this.opts.port !== 0) throw e;
          continue;
        }
        port = (srv.address() as net.AddressInfo).port;
        this.tcp = srv;
        this.startSweeper();
      }
      this.address = { host: this.opts.host, port };
      return;
    }
    throw new Error('could not bind SIP transports');
  }

  private log(s: string): void { this.opts.log?.(s); }

  private safeDeliver(buf: Buffer, peer: Peer, local: { host: string; port: number } = this.address): void {
    if (this.taps.length) this.tapped('in', peer.proto, buf, peer, local);
    try {
      this.handler(buf, peer);
    } catch (e) {
      this.log(`handler error: ${(e as Error).stack}`);
    }
  }

  /** An inbound connection: refused at once when it would pass the overall or per-source cap. */
  private accept(socket: net.Socket): void {
    const source = socket.remoteAddress ?? '';
    if (this.closed) { socket.destroy(); return; }
    if (this.inboundCount >= this.limits.maxConnections) {
      this.refuse(socket, 'overall', `tcp ${source} refused: ${this.inboundCount} connections open (limit ${this.limits.maxConnections})`);
      return;
    }
    if ((this.perSource.get(source) ?? 0) >= this.limits.maxConnectionsPerSource) {
      this.refuse(socket, 'perSource', `tcp ${source} refused: ${this.limits.maxConnectionsPerSource} connections open from it`);
      return;
    }
    this.inboundCount++;
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    const conn = this.adopt(socket, undefined, source);
    socket.once('close', () => {
      this.inboundCount--;
      const n = (this.perSource.get(conn.source) ?? 1) - 1;
      if (n > 0) this.perSource.set(conn.source, n);
      else this.perSource.delete(conn.source);
    });
  }

  private lastRefusalLog = 0;
  private refuse(socket: net.Socket, reason: keyof Transport['tcpDrops'], line: string): void {
    this.tcpDrops[reason]++;
    socket.on('error', () => {});
    socket.destroy();
    // one line per second at most: a flood of refusals must not flood the log
    const now = Date.now();
    if (now - this.lastRefusalLog >= 1000) {
      this.lastRefusalLog = now;
      (this.opts.warn ?? this.opts.log)?.(`${line} (refusals so far: ${JSON.stringify(this.tcpDrops)})`);
    }
  }

  private adopt(socket: net.Socket, key: string | undefined, source = socket.remoteAddress ?? ''): TcpConn {
    const id = this.nextConnId++;
    const now = Date.now();
    let conn!: TcpConn;
    const framer = new StreamFramer(
      (m) => {
        if (this.closed) return;
        this.safeDeliver(m, { proto: 'tcp', host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, connId: id }, { host: socket.localAddress ?? this.address.host, port: socket.localPort ?? this.address.port });
      },
      () => { if (!socket.destroyed) socket.write('\r\n'); },
      this.opts.maxMessageBytes ?? this.limits.maxBufferBytes,
    );
    conn = { id, socket, key: key ?? `${socket.remoteAddress}:${socket.remotePort}`, connected: !key, queue: [], inbound: !key, source, framer, messageStart: 0, lastActivity: now };
    this.conns.set(id, conn);
    if (!this.byKey.has(conn.key)) this.byKey.set(conn.key, conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      const t = Date.now();
      conn.lastActivity = t;
      const done = framer.completed;
      if (!framer.push(chunk)) {
        const reason = framer.pending > (this.opts.maxMessageBytes ?? this.limits.maxBufferBytes) ? 'buffer' : 'framing';
        this.refuse(socket, reason, `tcp ${conn.key} closed: ${reason === 'buffer' ? 'unfinished message above the buffer limit' : 'unframeable stream'}`);
        return;
      }
      // the clock of an unfinished message starts with its first byte (a message completed in
      // this chunk restarts it for what follows)
      conn.messageStart = framer.pending ? (framer.completed !== done ? t : conn.messageStart || t) : 0;
    });
    const drop = () => {
      this.conns.delete(id);
      if (this.byKey.get(conn.key) === conn) this.byKey.delete(conn.key);
    };
    socket.on('close', drop);
    socket.on('error', (e) => this.log(`tcp ${conn.key} error ${e.message}`));
    return conn;
  }

  /** Closes connections whose message is overdue (slowloris) or that have been silent too long. */
  private startSweeper(): void {
    const every = Math.max(50, Math.min(1000, Math.floor(Math.min(this.limits.headerTimeoutMs, this.limits.idleTimeoutMs || Infinity) / 4)));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every);
    this.sweeper.unref();
  }

  private sweep(now: number): void {
    for (const c of this.conns.values()) {
      if (c.socket.destroyed) continue;
      if (c.messageStart && now - c.messageStart > this.limits.headerTimeoutMs) {
        this.refuse(c.socket, 'headerTimeout', `tcp ${c.key} closed: a message unfinished after ${this.limits.headerTimeoutMs} ms`);
      } else if (this.limits.idleTimeoutMs > 0 && now - c.lastActivity > this.limits.idleTimeoutMs) {
        this.refuse(c.socket, 'idle', `tcp ${c.key} closed: idle for ${this.limits.idleTimeoutMs} ms`);
      }
    }
  }

  /** Bytes held for unfinished messages, all connections together. */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.conns.values()) n += c.framer.pending;
    return n;
  }

  /** Sends a serialized message. Returns false if it could not even be queued. */
  send(peer: Peer, data: Buffer): boolean {
    if (this.closed) return false;
    if (peer.proto === 'udp') {
      if (!this.udp) return false;
      this.udp.send(data, peer.port, peer.host);
      if (this.taps.length) this.tapped('out', 'udp', data, peer, this.address);
      return true;
    }
    let conn = peer.connId !== undefined ? this.conns.get(peer.connId) : undefined;
    conn ??= this.byKey.get(`${peer.host}:${peer.port}`);
    if (!conn) {
      const key = `${peer.host}:${peer.port}`;
      const socket = net.connect({ host: peer.host, port: peer.port });
      conn = this.adopt(socket, key);
      const c = conn;
      socket.once('connect', () => {
        c.connected = true;
        for (const q of c.queue) socket.write(q);
        c.queue = [];
      });
    }
    if (conn.socket.destroyed) return false;
    conn.lastActivity = Date.now();
    if (conn.connected) conn.socket.write(data);
    else conn.queue.push(data);
    // a connection still opening has no local port yet: the listening address stands in for it
    if (this.taps.length) this.tapped('out', 'tcp', data, { host: peer.host, port: peer.port }, { host: conn.socket.localAddress ?? this.address.host, port: conn.socket.localPort ?? this.address.port });
    return true;
  }

  connectionCount(): number { return this.conns.size; }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const c of this.conns.values()) c.socket.destroy();
    this.conns.clear();
    this.byKey.clear();
    const waits: Promise<void>[] = [];
    if (this.udp) { const u = this.udp; waits.push(new Promise((r) => u.close(() => r()))); }
    if (this.tcp) { const t = this.tcp; waits.push(new Promise((r) => t.close(() => r()))); }
    await Promise.all(waits);
  }
}
