// Sends every SIP message the edge sees to a Homer collector as HEP3 (HEP_URL, D-222). UDP: one
// datagram per message. TCP: one connection, reopened after a loss, with a bounded queue while
// it is down. Capture is best effort and never touches SIP: a collector that is slow, absent or
// refusing costs dropped packets (counted, one warning a minute), not delayed answers.
import dgram from 'node:dgram';
import net from 'node:net';
import type { HepTarget } from '../config';
import { encodeHep } from './hep';
import type { WireMessage } from './wire';

export interface HepExporterOptions {
  target: HepTarget;
  captureId: number;
  nodeName: string;
  warn(line: string): void;
}

/** packets held while the TCP connection is (re)opening */
const TCP_QUEUE_MAX = 1000;
/** bytes the TCP socket may hold unsent before new packets are dropped */
const TCP_BUFFER_MAX = 4 * 1024 * 1024;
const RECONNECT_MS = 1000;
const WARN_EVERY_MS = 60_000;

export class HepExporter {
  readonly counts = { sent: 0, dropped: 0 };
  private udp?: dgram.Socket;
  private tcp?: net.Socket;
  private tcpReady = false;
  private queue: Buffer[] = [];
  private closed = false;
  private reconnect?: NodeJS.Timeout;
  private lastWarn = 0;

  constructor(private readonly opts: HepExporterOptions) {
    if (opts.target.proto === 'udp') {
      this.udp = dgram.createSocket(net.isIPv6(opts.target.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (e) => this.drop(`HEP socket: ${e.message}`));
      this.udp.unref();
    } else this.connect();
  }

  /** the wire tap: encodes and sends one message */
  readonly tap = (m: WireMessage): void => {
    if (this.closed) return;
    const packet = encodeHep({
      proto: m.proto, src: m.src, dst: m.dst, atUs: m.atUs,
      captureId: this.opts.captureId, nodeName: this.opts.nodeName,
      correlationId: m.head.callId, payload: m.bytes,
    });
    if (!packet) return this.drop('a message too large for one HEP packet was not exported');
    if (this.udp) {
      this.udp.send(packet, this.opts.target.port, this.opts.target.host, (err) => (err ? this.drop(`HEP send: ${err.message}`) : this.counts.sent++));
      return;
    }
    if (this.tcpReady && this.tcp && this.tcp.writableLength < TCP_BUFFER_MAX) {
      this.tcp.write(packet);
      this.counts.sent++;
    } else if (!this.tcpReady && this.queue.length < TCP_QUEUE_MAX) this.queue.push(packet);
    else this.drop(`the HEP collector at ${this.where()} is not keeping up`);
  };

  private where(): string {
    return `${this.opts.target.proto}://${this.opts.target.host}:${this.opts.target.port}`;
  }

  private drop(why: string): void {
    this.counts.dropped++;
    const now = Date.now();
    if (now - this.lastWarn >= WARN_EVERY_MS) {
      this.lastWarn = now;
      this.opts.warn(`${why} (HEP packets dropped so far: ${this.counts.dropped})`);
    }
  }

  private connect(): void {
    const s = net.connect({ host: this.opts.target.host, port: this.opts.target.port });
    this.tcp = s;
    s.setNoDelay(true);
    s.unref();
    s.once('connect', () => {
      this.tcpReady = true;
      for (const p of this.queue) s.write(p);
      this.counts.sent += this.queue.length;
      this.queue = [];
    });
    s.on('error', (e) => this.drop(`HEP collector ${this.where()}: ${e.message}`));
    s.once('close', () => {
      this.tcpReady = false;
      if (this.closed) return;
      this.reconnect = setTimeout(() => this.connect(), RECONNECT_MS);
      this.reconnect.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    if (this.udp) await new Promise<void>((r) => this.udp!.close(() => r()));
    const s = this.tcp;
    if (s && !s.destroyed) {
      // what is written leaves; a collector that does not read it is not waited for
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
        setTimeout(() => s.destroy(), 500).unref();
      });
    }
  }
}
