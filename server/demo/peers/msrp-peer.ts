// An MSRP endpoint for tests and the demo peers, built on the PF's own sans-IO codec (server/msrp): it listens on
// 127.0.0.1 (its a=path) and/or connects out, sends messages whole or chunked, answers SENDs with
// a status of the test's choosing (honouring Failure-Report), sends a success REPORT when asked,
// and keeps everything it received: each message, each chunk as it came, each whole message.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { MsrpParser, type ParseEvent } from '../../msrp/parser';
import { serialize, newTid, responseTo } from '../../msrp/serializer';
import { Reassembler, type WholeMessage } from '../../msrp/reassembly';
import type { MsrpMessage, MsrpRequest, MsrpResponse, FailureReport } from '../../msrp/message';
import { parseMsrpUri } from '../../msrp/uri';

export interface SendOptions {
  contentType?: string;
  /** bytes per chunk (default: the whole body in one chunk) */
  chunkSize?: number;
  messageId?: string;
  successReport?: 'yes' | 'no';
  failureReport?: FailureReport;
  /** write the chunks in this order (indexes), default in order */
  order?: number[];
  /** Byte-Range total '*' (the size is not said up front) */
  totalUnknown?: boolean;
}

export class MsrpPeer {
  /** this peer's URI (its a=path) */
  readonly path: string;
  /** where its messages go (the PF's a=path for this peer's leg) */
  remotePath: string[] = [];
  /** status for each SEND received; undefined sends nothing */
  answer: (req: MsrpRequest) => number | undefined = () => 200;
  /** send a success REPORT when a SEND asks for one (Success-Report: yes) */
  reports = true;
  readonly received: MsrpMessage[] = [];
  readonly events: ParseEvent[] = [];
  readonly wholes: WholeMessage[] = [];
  readonly responses = new Map<string, MsrpResponse>();
  closed = false;
  /** sees every message written and parsed (the demo ladder) */
  observe: (m: MsrpMessage, dir: 'in' | 'out') => void = () => {};
  private socket?: net.Socket;
  private readonly parser = new MsrpParser({ maxBodyBytes: 64 * 1024 * 1024 });
  private readonly reassembler = new Reassembler({ maxMessageBytes: 64 * 1024 * 1024 });
  private n = 0;
  private unrefd = false;

  private constructor(private readonly server: net.Server, port: number, readonly name: string) {
    this.path = `msrp://127.0.0.1:${port}/${name}${randomBytes(4).toString('hex')};tcp`;
  }

  /** A peer listening on 127.0.0.1 (the passive side until it connects out). */
  static async start(name = 'peer'): Promise<MsrpPeer> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const p = new MsrpPeer(server, (server.address() as net.AddressInfo).port, name);
    server.on('connection', (s) => { if (p.socket) s.destroy(); else p.attach(s); });
    return p;
  }

  /** Connects to the first URI of remotePath and binds the session with a bodiless SEND (RFC 4975 §7.1). */
  async connect(): Promise<MsrpResponse> {
    const u = parseMsrpUri(this.remotePath[0])!;
    const s = net.connect(u.port, u.host);
    await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
    this.attach(s);
    const tid = this.write({ kind: 'request', tid: newTid(), method: 'SEND', toPath: this.remotePath, fromPath: [this.path], headers: [], messageId: this.id(), continuation: '$' });
    return this.response(tid);
  }

  /** Waits for the PF's connection (when the PF is the active side). */
  async accepted(ms = 5000): Promise<void> {
    await until(() => !!this.socket, `${this.name}: a connection from the PF`, ms);
  }

  get connected(): boolean { return !!this.socket && !this.closed; }

  /** Sends a message, chunked if asked; returns its Message-ID and the tid of each chunk. */
  send(body: Buffer, o: SendOptions = {}): { messageId: string; tids: string[] } {
    const messageId = o.messageId ?? this.id();
    const size = o.chunkSize ?? Math.max(1, body.length);
    const chunks: MsrpRequest[] = [];
    for (let at = 0; at < body.length || (at === 0 && chunks.length === 0); at += size) {
      const part = body.subarray(at, Math.min(body.length, at + size));
      const last = at + size >= body.length;
      const m: MsrpRequest = {
        kind: 'request', tid: newTid(part), method: 'SEND', toPath: this.remotePath, fromPath: [this.path], headers: [],
        messageId, byteRange: { start: at + 1, end: at + part.length, total: o.totalUnknown ? '*' : body.length }, contentType: o.contentType ?? 'text/plain',
        body: part, continuation: last ? '$' : '+',
      };
      if (o.successReport) m.successReport = o.successReport;
      if (o.failureReport) m.failureReport = o.failureReport;
      chunks.push(m);
      if (body.length === 0) break;
    }
    const order = o.order ?? chunks.map((_, i) => i);
    for (const i of order) this.write(chunks[i]);
    return { messageId, tids: chunks.map((c) => c.tid) };
  }

  /** Writes a message; returns its tid. */
  write(m: MsrpMessage): string {
    if (!this.socket) throw new Error(`${this.name}: not connected`);
    this.socket.write(serialize(m));
    this.observe(m, 'out');
    return m.tid;
  }

  writeRaw(b: Buffer | string): void { this.socket!.write(b); }

  async response(tid: string, ms = 5000): Promise<MsrpResponse> {
    await until(() => this.responses.has(tid), `${this.name}: a response to ${tid}`, ms);
    return this.responses.get(tid)!;
  }

  requests(method = 'SEND'): MsrpRequest[] {
    return this.received.filter((m): m is MsrpRequest => m.kind === 'request' && m.method === method);
  }

  async waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    await until(cond, `${this.name}: ${what}`, ms);
  }

  async whole(messageId: string, ms = 5000): Promise<WholeMessage> {
    await until(() => this.wholes.some((w) => w.messageId === messageId), `${this.name}: whole message ${messageId}`, ms);
    return this.wholes.find((w) => w.messageId === messageId)!;
  }

  /** Lets the process exit while this peer is still open (a test's peer beside a SIPp that may end on its own). */
  unref(): void {
    this.unrefd = true;
    this.server.unref();
    this.socket?.unref();
  }

  /** Drops the connection (as a client losing its network would). */
  drop(): void { this.socket?.destroy(); }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private id(): string { return `${this.name}${++this.n}x${randomBytes(3).toString('hex')}`; }

  private attach(s: net.Socket): void {
    this.socket = s;
    if (this.unrefd) s.unref();
    this.closed = false;
    s.on('data', (d: Buffer) => { for (const ev of this.parser.push(d)) this.onEvent(ev); });
    s.on('close', () => { this.closed = true; });
    s.on('error', () => {});
  }

  private onEvent(ev: ParseEvent): void {
    this.events.push(ev);
    if (ev.type !== 'message') return;
    const m = ev.message;
    this.received.push(m);
    this.observe(m, 'in');
    if (m.kind === 'response') { this.responses.set(m.tid, m); return; }
    if (m.method !== 'SEND') return;
    const code = this.answer(m);
    const fr = m.failureReport ?? 'yes';
    if (code !== undefined && fr !== 'no' && !(fr === 'partial' && code === 200)) this.write(responseTo(m, code, this.path));
    if (m.body === undefined) return;
    const r = this.reassembler.add(m, Date.now());
    if (r.type === 'complete') {
      this.wholes.push(r.message);
      if (this.reports && code === 200 && r.message.head.successReport === 'yes') {
        const total = r.message.body.length;
        this.write({
          kind: 'request', tid: newTid(), method: 'REPORT', toPath: m.fromPath, fromPath: [this.path], headers: [],
          messageId: m.messageId, byteRange: { start: 1, end: total, total }, status: { namespace: '000', code: 200, reason: 'OK' }, continuation: '$',
        });
      }
    }
  }
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
