// The recent SIP messages as they crossed the edge, kept in memory for the console's "Download
// pcap" of a session: bounded by bytes (PF_CAPTURE_MAX_BYTES), oldest dropped first, found by
// Call-ID. A message without a Call-ID (not SIP) is not kept (D-223).
import type { WireMessage } from './wire';

interface Held {
  m: WireMessage;
  callId: string;
  size: number;
}

/**
 * Bookkeeping per message besides its bytes: the record, its addresses and head, the Buffer and
 * ArrayBuffer objects, the Call-ID and the index entries. Measured at about 690 bytes of heap per
 * message (capture-ring.test.ts D-301), so that the budget bounds what the ring really takes.
 */
export const OVERHEAD_BYTES = 700;

// A message cut from a larger buffer (a TCP read, Node's 8 KB pool) would hold all of it for as
// long as the ring holds the message, far beyond the budget counted: such bytes are copied (D-300).
const ownsItsBytes = (m: WireMessage): boolean => m.bytes.byteOffset === 0 && m.bytes.buffer.byteLength === m.bytes.byteLength;

/** an unpooled copy (Buffer.from would cut it from the pool again) */
function copyOf(b: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(b.byteLength);
  out.set(b);
  return out;
}

export class CaptureRing {
  private readonly fifo: (Held | undefined)[] = [];
  private head = 0;
  private readonly byCallId = new Map<string, Held[]>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** the wire tap */
  readonly tap = (m: WireMessage): void => {
    const callId = m.head.callId;
    const size = m.bytes.length + OVERHEAD_BYTES;
    if (!callId || size > this.maxBytes) return;
    const held: Held = { m: ownsItsBytes(m) ? m : { ...m, bytes: copyOf(m.bytes) }, callId, size };
    this.fifo.push(held);
    const list = this.byCallId.get(callId);
    if (list) list.push(held);
    else this.byCallId.set(callId, [held]);
    this.bytes += size;
    while (this.bytes > this.maxBytes) this.evict();
  };

  private evict(): void {
    const old = this.fifo[this.head]!;
    // the slot is cleared now: the array is compacted only now and then, and until then it would
    // keep every evicted message alive beside the budget (D-301)
    this.fifo[this.head++] = undefined;
    this.bytes -= old.size;
    const list = this.byCallId.get(old.callId)!;
    // the oldest of a Call-ID is the first in its list
    list.shift();
    if (!list.length) this.byCallId.delete(old.callId);
    // compact now and then rather than shift() an array of many thousands each time
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head);
      this.head = 0;
    }
  }

  /** the held messages of these Call-IDs, oldest first */
  of(callIds: Iterable<string>): WireMessage[] {
    const out: WireMessage[] = [];
    for (const id of new Set(callIds)) for (const h of this.byCallId.get(id) ?? []) out.push(h.m);
    return out.sort((a, b) => a.atUs - b.atUs);
  }

  get heldBytes(): number {
    return this.bytes;
  }
}
