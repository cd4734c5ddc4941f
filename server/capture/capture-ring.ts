// The recent SIP messages as they crossed the edge, kept in memory for the console's "Download
// pcap" of a session: bounded by bytes (PF_CAPTURE_MAX_BYTES), oldest dropped first, found by
// Call-ID. A message without a Call-ID (not SIP) is not kept (D-223).
//
// Held as records in one buffer of that size, not as objects (D-328): a message kept as an object
// lived long enough to reach the edge thread's old generation and died there, and the budget had
// to guess the objects' size. Now a message costs a copy into the buffer and no object that
// outlives the tap; a download (an operator's click) walks the records.
import type { WireMessage } from './wire';
import { sipHead } from './sip-head';

// A record: its header, then the source and destination hosts (latin1), then the message's bytes.
const SIZE = 0; // u32, the whole record
const AT_US = 4; // f64
const CALL_ID_HASH = 12; // i32
const SRC_PORT = 16; // u16
const DST_PORT = 18; // u16
const FLAGS = 20; // u8: bit 0 out, bit 1 tcp
const SRC_HOST_LEN = 21; // u8
const DST_HOST_LEN = 22; // u8
export const RECORD_HEADER_BYTES = 23;

/** the bytes a message takes in the ring; over the ring's size, or with a host longer than 255 bytes, it is not kept */
export function recordBytes(m: WireMessage): number {
  return RECORD_HEADER_BYTES + Buffer.byteLength(m.src.host, 'latin1') + Buffer.byteLength(m.dst.host, 'latin1') + m.bytes.length;
}

/** FNV-1a over a Call-ID's UTF-16 code units: picks the records worth reading at a download */
export function callIdHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class CaptureRing {
  private readonly slab: Buffer;
  /** the oldest record */
  private start = 0;
  /** where the next record goes */
  private end = 0;
  /** where the records stop before going on at 0, or -1 while they are one run [start, end) */
  private wrapAt = -1;
  private count = 0;
  private used = 0;

  constructor(private readonly maxBytes: number) {
    this.slab = Buffer.allocUnsafeSlow(Math.max(0, maxBytes));
  }

  /** the wire tap */
  readonly tap = (m: WireMessage): void => {
    const callId = m.head.callId;
    if (!callId) return;
    const srcLen = Buffer.byteLength(m.src.host, 'latin1');
    const dstLen = Buffer.byteLength(m.dst.host, 'latin1');
    const size = RECORD_HEADER_BYTES + srcLen + dstLen + m.bytes.length;
    if (size > this.maxBytes || srcLen > 255 || dstLen > 255) return;
    const at = this.place(size);
    const s = this.slab;
    s.writeUInt32LE(size, at + SIZE);
    s.writeDoubleLE(m.atUs, at + AT_US);
    s.writeInt32LE(callIdHash(callId), at + CALL_ID_HASH);
    s.writeUInt16LE(m.src.port, at + SRC_PORT);
    s.writeUInt16LE(m.dst.port, at + DST_PORT);
    s[at + FLAGS] = (m.direction === 'out' ? 1 : 0) | (m.proto === 'tcp' ? 2 : 0);
    s[at + SRC_HOST_LEN] = srcLen;
    s[at + DST_HOST_LEN] = dstLen;
    let o = at + RECORD_HEADER_BYTES;
    o += s.write(m.src.host, o, 'latin1');
    o += s.write(m.dst.host, o, 'latin1');
    s.set(m.bytes, o);
    this.end = at + size;
    this.count++;
    this.used += size;
  };

  /** where a record of `size` bytes goes, the oldest records dropped to make room (size ≤ maxBytes) */
  private place(size: number): number {
    for (;;) {
      if (this.count === 0) {
        this.start = this.end = 0;
        this.wrapAt = -1;
      }
      if (this.wrapAt < 0) {
        if (this.maxBytes - this.end >= size) return this.end;
        // not at the tail: go on at 0 if the oldest record starts far enough from it
        if (this.start >= size) {
          this.wrapAt = this.end;
          this.end = 0;
          return 0;
        }
      } else if (this.start - this.end >= size) return this.end;
      this.evict();
    }
  }

  private evict(): void {
    const size = this.slab.readUInt32LE(this.start + SIZE);
    this.start += size;
    this.count--;
    this.used -= size;
    if (this.wrapAt >= 0 && this.start >= this.wrapAt) {
      this.start = 0;
      this.wrapAt = -1;
    }
  }

  /** the held messages of these Call-IDs, oldest first; each is a copy, its own after the ring moves on */
  of(callIds: Iterable<string>): WireMessage[] {
    const wanted = new Set(callIds);
    const hashes = new Set([...wanted].map(callIdHash));
    const out: WireMessage[] = [];
    const s = this.slab;
    let at = this.start;
    for (let i = 0; i < this.count; i++) {
      if (at === this.wrapAt) at = 0;
      const size = s.readUInt32LE(at + SIZE);
      if (hashes.has(s.readInt32LE(at + CALL_ID_HASH))) {
        const srcLen = s[at + SRC_HOST_LEN];
        const dstLen = s[at + DST_HOST_LEN];
        const hosts = at + RECORD_HEADER_BYTES;
        const bytes = Buffer.from(s.subarray(hosts + srcLen + dstLen, at + size));
        const head = sipHead(bytes);
        if (head.callId !== undefined && wanted.has(head.callId)) {
          const flags = s[at + FLAGS];
          out.push({
            direction: flags & 1 ? 'out' : 'in',
            proto: flags & 2 ? 'tcp' : 'udp',
            src: { host: s.toString('latin1', hosts, hosts + srcLen), port: s.readUInt16LE(at + SRC_PORT) },
            dst: { host: s.toString('latin1', hosts + srcLen, hosts + srcLen + dstLen), port: s.readUInt16LE(at + DST_PORT) },
            atUs: s.readDoubleLE(at + AT_US),
            bytes,
            head,
          });
        }
      }
      at += size;
    }
    return out.sort((a, b) => a.atUs - b.atUs);
  }

  /** bytes of the records held (at most maxBytes) */
  get heldBytes(): number {
    return this.used;
  }
}
