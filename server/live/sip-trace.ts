// The SIP messages of recent sessions, held in memory for the ladder diagram: they are numbered
// as they arrive and kept in a bounded ring, so a busy PF never grows without limit.
import type { SipMessageRecord } from './events';

export class SipTrace {
  private seq = 0;
  private ring: SipMessageRecord[] = [];

  constructor(private readonly capacity = 20_000) {}

  add(m: Omit<SipMessageRecord, 'seq'>): SipMessageRecord {
    const rec = { ...m, seq: ++this.seq };
    this.ring.push(rec);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    return rec;
  }

  /** messages of a session, or of any of the given Call-IDs, oldest first */
  of(sessionId: string, callIds: string[]): SipMessageRecord[] {
    const calls = new Set(callIds);
    return this.ring.filter((m) => m.sessionId === sessionId || calls.has(m.callId));
  }
}
