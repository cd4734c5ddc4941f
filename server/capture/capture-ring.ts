// The recent SIP messages as they crossed the edge, kept in memory for the console's "Download
// pcap" of a session: bounded by bytes (PF_CAPTURE_MAX_BYTES), oldest dropped first, found by
// Call-ID. A message without a Call-ID (not SIP) is not kept (D-223).
import type { WireMessage } from './wire';

interface Held {
  m: WireMessage;
  callId: string;
  size: number;
}

/** bookkeeping per message besides its bytes (addresses, index entries) */
const OVERHEAD_BYTES = 200;

export class CaptureRing {
  private readonly fifo: Held[] = [];
  private head = 0;
  private readonly byCallId = new Map<string, Held[]>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** the wire tap */
  readonly tap = (m: WireMessage): void => {
    const callId = m.head.callId;
    const size = m.bytes.length + OVERHEAD_BYTES;
    if (!callId || size > this.maxBytes) return;
    const held: Held = { m, callId, size };
    this.fifo.push(held);
    const list = this.byCallId.get(callId);
    if (list) list.push(held);
    else this.byCallId.set(callId, [held]);
    this.bytes += size;
    while (this.bytes > this.maxBytes) this.evict();
  };

  private evict(): void {
    const old = this.fifo[this.head++];
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
