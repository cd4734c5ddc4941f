// HEP version 3 (the Homer Encapsulation Protocol, sipcapture.org): one captured SIP message as
// a "HEP3" header and type-length-value chunks, each `vendor(2) type(2) length(2)` with the length
// counting its own 6 bytes, all big-endian. Pure: bytes in, bytes out. Written here rather than
// taken from hep-js, whose encoder writes the payload as a JavaScript string (binary bodies are
// mangled and a multi-byte character leaves uninitialised bytes in the packet) and knows only
// IPv4 (D-222).
import { isIPv4, isIPv6 } from 'node:net';

export const HEP_CHUNK = {
  ipFamily: 1,
  ipProtocol: 2,
  ipv4Src: 3,
  ipv4Dst: 4,
  ipv6Src: 5,
  ipv6Dst: 6,
  srcPort: 7,
  dstPort: 8,
  timeSec: 9,
  timeUsec: 10,
  protocolType: 11,
  captureId: 12,
  payload: 15,
  correlationId: 17,
  nodeName: 19,
} as const;

/** HEP protocol type of a SIP payload */
export const HEP_PROTO_SIP = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO = { udp: 17, tcp: 6 } as const;
/** the whole packet's length is a 16-bit field */
export const HEP_MAX_BYTES = 0xffff;

export interface HepPacket {
  proto: 'udp' | 'tcp';
  src: { host: string; port: number };
  dst: { host: string; port: number };
  /** microseconds since the epoch */
  atUs: number;
  captureId: number;
  nodeName?: string;
  /** Homer correlates a SIP dialog's packets by it: the Call-ID */
  correlationId?: string;
  payload: Buffer;
}

function chunk(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(6 + value.length, 4);
  return Buffer.concat([head, value]);
}

const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, how dual-stack sockets report IPv4 peers) as IPv4. */
export function plainAddress(host: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m ? m[1] : host;
}

export function ipv4Bytes(host: string): Buffer {
  return Buffer.from(host.split('.').map(Number));
}

export function ipv6Bytes(host: string): Buffer {
  // expand "::" and a trailing dotted IPv4 part into eight 16-bit groups
  let h = host.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4) {
    const b = ipv4Bytes(v4[1]);
    h = `${h.slice(0, -v4[1].length)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [left, right] = h.includes('::') ? h.split('::') : [h, undefined];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

function addressChunks(src: string, dst: string): Buffer[] {
  const s = plainAddress(src);
  const d = plainAddress(dst);
  if (isIPv4(s) && isIPv4(d)) return [chunk(HEP_CHUNK.ipFamily, u8(AF_INET)), chunk(HEP_CHUNK.ipv4Src, ipv4Bytes(s)), chunk(HEP_CHUNK.ipv4Dst, ipv4Bytes(d))];
  // one family per packet: an IPv4 end of an IPv6 conversation is written IPv4-mapped
  const v6 = (a: string) => ipv6Bytes(isIPv6(a) ? a : isIPv4(a) ? `::ffff:${a}` : '::');
  return [chunk(HEP_CHUNK.ipFamily, u8(AF_INET6)), chunk(HEP_CHUNK.ipv6Src, v6(s)), chunk(HEP_CHUNK.ipv6Dst, v6(d))];
}

/** The HEP3 packet, or undefined when it would pass the 64 KiB the length field can say. */
export function encodeHep(p: HepPacket): Buffer | undefined {
  if (6 + p.payload.length > HEP_MAX_BYTES) return undefined;
  const chunks = [
    ...addressChunks(p.src.host, p.dst.host),
    chunk(HEP_CHUNK.ipProtocol, u8(IPPROTO[p.proto])),
    chunk(HEP_CHUNK.srcPort, u16(p.src.port)),
    chunk(HEP_CHUNK.dstPort, u16(p.dst.port)),
    chunk(HEP_CHUNK.timeSec, u32(Math.floor(p.atUs / 1e6))),
    chunk(HEP_CHUNK.timeUsec, u32(p.atUs % 1e6)),
    chunk(HEP_CHUNK.protocolType, u8(HEP_PROTO_SIP)),
    chunk(HEP_CHUNK.captureId, u32(p.captureId)),
    ...(p.nodeName ? [chunk(HEP_CHUNK.nodeName, Buffer.from(p.nodeName, 'utf8'))] : []),
    ...(p.correlationId ? [chunk(HEP_CHUNK.correlationId, Buffer.from(p.correlationId, 'latin1'))] : []),
    chunk(HEP_CHUNK.payload, p.payload),
  ];
  const length = 6 + chunks.reduce((n, c) => n + c.length, 0);
  if (length > HEP_MAX_BYTES) return undefined;
  const head = Buffer.alloc(6);
  head.write('HEP3', 0, 'latin1');
  head.writeUInt16BE(length, 4);
  return Buffer.concat([head, ...chunks], length);
}
