// One SIP message as it crossed the embedded edge's sockets (server/edge/transport.ts): the exact
// bytes, both addresses and when. The metrics, the HEP exporter and the capture ring for pcap
// downloads all read the same record, so what they show is what was on the wire.
import type { SipHead } from './sip-head';

export interface WireAddress {
  host: string;
  port: number;
}

export interface WireMessage {
  /** in: received by the PF; out: sent by it */
  direction: 'in' | 'out';
  proto: 'udp' | 'tcp';
  src: WireAddress;
  dst: WireAddress;
  /** wall-clock time in microseconds since the epoch */
  atUs: number;
  bytes: Buffer;
  /** method, status and Call-ID, read once for every observer */
  head: SipHead;
}

export type WireTap = (m: WireMessage) => void;

/** Microseconds since the epoch (Date.now() has only milliseconds; HEP and pcap carry µs). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
