// Writes captured SIP messages as a classic libpcap file (what Wireshark and tshark open). The
// link type is raw IP (LINKTYPE_RAW, 101): each record is an IPv4 or IPv6 header and a UDP or TCP
// header synthesized from the message's addresses and ports, then the message's bytes, so
// Wireshark dissects it as SIP. TCP messages of one connection direction get running sequence
// numbers, so a message split over segments is reassembled. Pure: messages in, bytes out.
import { isIPv4 } from 'node:net';
import { ipv4Bytes, ipv6Bytes, plainAddress } from './hep';
import type { WireMessage } from './wire';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const LINKTYPE_RAW = 101;
const SNAPLEN = 262_144;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** TCP payload per synthesized segment: an IPv4 packet's total length is 16 bits */
const TCP_SEGMENT_BYTES = 32_768;

type Captured = Pick<WireMessage, 'proto' | 'src' | 'dst' | 'atUs' | 'bytes'>;

/** the Internet checksum (RFC 1071) over the given buffers, as if concatenated */
export function internetChecksum(parts: Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const b of parts) {
    for (let i = 0; i < b.length; i++) {
      if (odd === undefined) odd = b[i];
      else {
        sum += (odd << 8) | b[i];
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function transportHeader(proto: 'udp' | 'tcp', srcPort: number, dstPort: number, payloadLength: number, seq: number, ack: number): Buffer {
  if (proto === 'udp') {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(srcPort, 0);
    h.writeUInt16BE(dstPort, 2);
    h.writeUInt16BE(8 + payloadLength, 4);
    return h;
  }
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h.writeUInt8(5 << 4, 12); // header length: 5 words
  h.writeUInt8(0x18, 13); // PSH, ACK
  h.writeUInt16BE(65535, 14); // window
  return h;
}

function ipPacket(src: string, dst: string, proto: 'udp' | 'tcp', l4: Buffer, payload: Buffer): Buffer {
  const next = proto === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
  const length = l4.length + payload.length;
  const checksumAt = proto === 'udp' ? 6 : 16;
  if (isIPv4(src) && isIPv4(dst)) {
    const s = ipv4Bytes(src);
    const d = ipv4Bytes(dst);
    const pseudo = Buffer.alloc(12);
    s.copy(pseudo, 0);
    d.copy(pseudo, 4);
    pseudo.writeUInt8(next, 9);
    pseudo.writeUInt16BE(length, 10);
    // a computed UDP checksum of 0 is sent as 0xffff (0 means "none")
    l4.writeUInt16BE(internetChecksum([pseudo, l4, payload]) || (proto === 'udp' ? 0xffff : 0), checksumAt);
    const ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0); // version 4, 5 words
    ip.writeUInt16BE(20 + length, 2);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip.writeUInt8(64, 8); // TTL
    ip.writeUInt8(next, 9);
    s.copy(ip, 12);
    d.copy(ip, 16);
    ip.writeUInt16BE(internetChecksum([ip]), 10);
    return Buffer.concat([ip, l4, payload]);
  }
  // IPv6 (an IPv4 end is written IPv4-mapped)
  const v6 = (a: string) => ipv6Bytes(isIPv4(a) ? `::ffff:${a}` : a);
  const s = v6(src);
  const d = v6(dst);
  const pseudo = Buffer.alloc(40);
  s.copy(pseudo, 0);
  d.copy(pseudo, 16);
  pseudo.writeUInt32BE(length, 32);
  pseudo.writeUInt8(next, 39);
  l4.writeUInt16BE(internetChecksum([pseudo, l4, payload]) || (proto === 'udp' ? 0xffff : 0), checksumAt);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(length, 4);
  ip.writeUInt8(next, 6);
  ip.writeUInt8(64, 7);
  s.copy(ip, 8);
  d.copy(ip, 24);
  return Buffer.concat([ip, l4, payload]);
}

function record(atUs: number, packet: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(atUs / 1e6), 0);
  h.writeUInt32LE(atUs % 1e6, 4);
  h.writeUInt32LE(packet.length, 8);
  h.writeUInt32LE(packet.length, 12);
  return Buffer.concat([h, packet]);
}

/** The pcap file of these messages, in time order. */
export function writePcap(messages: Captured[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(PCAP_MAGIC_US, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // GMT
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const out: Buffer[] = [header];
  // bytes sent so far per TCP direction: the next segment's sequence number (and the other way's ack)
  const sent = new Map<string, number>();
  const flow = (a: { host: string; port: number }, b: { host: string; port: number }) => `${a.host} ${a.port} ${b.host} ${b.port}`;
  for (const m of [...messages].sort((a, b) => a.atUs - b.atUs)) {
    const src = plainAddress(m.src.host);
    const dst = plainAddress(m.dst.host);
    if (m.proto === 'udp') {
      out.push(record(m.atUs, ipPacket(src, dst, 'udp', transportHeader('udp', m.src.port, m.dst.port, m.bytes.length, 0, 0), m.bytes)));
      continue;
    }
    const key = flow(m.src, m.dst);
    for (let at = 0; at < m.bytes.length || at === 0; at += TCP_SEGMENT_BYTES) {
      const part = m.bytes.subarray(at, at + TCP_SEGMENT_BYTES);
      const seq = 1 + (sent.get(key) ?? 0);
      const ack = 1 + (sent.get(flow(m.dst, m.src)) ?? 0);
      out.push(record(m.atUs, ipPacket(src, dst, 'tcp', transportHeader('tcp', m.src.port, m.dst.port, part.length, seq, ack), part)));
      sent.set(key, (sent.get(key) ?? 0) + part.length);
      if (!m.bytes.length) break;
    }
  }
  return Buffer.concat(out);
}
