// UDP and TCP SIP transports. Delivers whole messages (datagrams, or frames cut out of TCP
// streams by Content-Length) with the peer they came from; sends to a peer, reusing an open TCP
// connection to it (the one a request came in on, or one opened earlier) before opening a new one.
import dgram from 'node:dgram';
import net from 'node:net';

export type Proto = 'udp' | 'tcp';

export interface Peer {
  proto: Proto;
  host: string;
  port: number;
  /** For TCP: the connection the message arrived on (responses go back on it). */
  connId?: number;
}

export interface TransportOptions {
  host: string;
  port: number;
  transports: Proto[];
  log?: (line: string) => void;
  /** Largest message accepted on a stream before the connection is dropped. */
  maxMessageBytes?: number;
}

export type MessageHandler = (buf: Buffer, peer: Peer) => void;

const CRLF2 = Buffer.from('\r\n\r\n');

/** Cuts SIP messages out of a byte stream using Content-Length (RFC 3261 18.3). */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private lead = '';
  constructor(private readonly onMessage: (m: Buffer) => void, private readonly onKeepAlive: () => void,
    private readonly maxBytes = 1 << 20) {}

  /** Returns false when the stream is beyond repair (caller closes the connection). */
  push(chunk: Buffer): boolean {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (let guard = 0; guard < 10000; guard++) {
      // RFC 5626 keep-alive: a double CRLF "ping" is answered with a single CRLF "pong".
      // The ping may itself arrive split across reads, so the run of CR/LF is tracked across pushes.
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) {
        this.lead = (this.lead + (this.buf[skip] === 0x0d ? '\r' : '\n')).slice(-4);
        if (this.lead === '\r\n\r\n') { this.onKeepAlive(); this.lead = ''; }
        skip++;
      }
      if (skip) this.buf = this.buf.subarray(skip);
      if (!this.buf.length) return true;
      this.lead = '';
      const he = this.buf.indexOf(CRLF2);
      if (he < 0) return this.buf.length <= this.maxBytes;
      const head = this.buf.toString('latin1', 0, he);
      const m = /(?:^|\r\n)(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const cl = m ? Number(m[1]) : 0;
      if (!m && /(?:^|\r\n)(?:content-length|l)[ \t]*:/i.test(head)) return false;
      const total = he + 4 + cl;
      if (total > this.maxBytes) return false;
      if (this.buf.length < total) return true;
      const msg = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      this.onMessage(Buffer.from(msg));
    }
    return true;
  }
}

interface TcpConn {
  id: number;
  socket: net.Socket;
  key: string; // remote host:port
  connected: boolean;
  queue: Buffer[];
}

export class Transport {
  udp: dgram.Socket | undefined;
  tcp: net.Server | undefined;
  address = { host: '', port: 0 };
  private conns = new Map<number, TcpConn>();
  private byKey = new Map<string, TcpConn>();
  private nextConnId = 1;
  private handler: MessageHandler = () => {};
  private closed = false;

  constructor(private readonly opts: TransportOptions) {}

  onMessage(h: MessageHandler): void { this.handler = h; }

  get transports(): Proto[] { return this.opts.transports; }

  async listen(): Promise<void> {
    const want = this.opts.transports;
    // UDP and TCP share one port number so Via/Contact are right for both; with port 0 the
    // UDP port is taken first and TCP retried on a fresh one if that number is busy for TCP.
    for (let attempt = 0; attempt < 10; attempt++) {
      let port = this.opts.port;
      if (want.includes('udp')) {
        const udp = dgram.createSocket('udp4');
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
        const srv = net.createServer((s) => this.adopt(s, undefined));
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
      }
      this.address = { host: this.opts.host, port };
      return;
    }
    throw new Error('could not bind SIP transports');
  }

  private log(s: string): void { this.opts.log?.(s); }

  private safeDeliver(buf: Buffer, peer: Peer): void {
    try {
      this.handler(buf, peer);
    } catch (e) {
      this.log(`handler error: ${(e as Error).stack}`);
    }
  }

  private adopt(socket: net.Socket, key: string | undefined): TcpConn {
    const id = this.nextConnId++;
    const conn: TcpConn = { id, socket, key: key ?? `${socket.remoteAddress}:${socket.remotePort}`, connected: !key, queue: [] };
    this.conns.set(id, conn);
    if (!this.byKey.has(conn.key)) this.byKey.set(conn.key, conn);
    socket.setNoDelay(true);
    const framer = new StreamFramer(
      (m) => {
        if (this.closed) return;
        this.safeDeliver(m, { proto: 'tcp', host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, connId: id });
      },
      () => { if (!socket.destroyed) socket.write('\r\n'); },
      this.opts.maxMessageBytes,
    );
    socket.on('data', (chunk) => { if (!framer.push(chunk)) socket.destroy(); });
    const drop = () => {
      this.conns.delete(id);
      if (this.byKey.get(conn.key) === conn) this.byKey.delete(conn.key);
    };
    socket.on('close', drop);
    socket.on('error', (e) => this.log(`tcp ${conn.key} error ${e.message}`));
    return conn;
  }

  /** Sends a serialized message. Returns false if it could not even be queued. */
  send(peer: Peer, data: Buffer): boolean {
    if (this.closed) return false;
    if (peer.proto === 'udp') {
      if (!this.udp) return false;
      this.udp.send(data, peer.port, peer.host);
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
    if (conn.connected) conn.socket.write(data);
    else conn.queue.push(data);
    return true;
  }

  connectionCount(): number { return this.conns.size; }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) c.socket.destroy();
    this.conns.clear();
    this.byKey.clear();
    const waits: Promise<void>[] = [];
    if (this.udp) { const u = this.udp; waits.push(new Promise((r) => u.close(() => r()))); }
    if (this.tcp) { const t = this.tcp; waits.push(new Promise((r) => t.close(() => r()))); }
    await Promise.all(waits);
  }
}
