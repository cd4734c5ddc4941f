// The SIP messages of a session's legs, published for the console's ladder diagram
// (`sip:message` on the live bus): what came in on a leg, what the PF sent on it, and the answers.
import type { EventEmitter } from 'node:events';
import type { SipMessageRecord } from '../../live/events';
import type { MsrpTrace } from '../../msrp/listener';

const MAX_PENDING_PER_LEG = 8;
const PENDING_KEPT_MS = 30_000;

export type SipTraceEntry = Omit<SipMessageRecord, 'seq' | 'at' | 'sessionId' | 'legId' | 'peer'>;

export class SipTrace {
  /** entries of legs whose session is not stored yet (the INVITE that creates it), kept briefly */
  private readonly pending = new Map<string, Array<Omit<SipMessageRecord, 'seq' | 'sessionId' | 'legId' | 'peer'>>>();

  constructor(
    private readonly bus: EventEmitter | undefined,
    private readonly where: (legId: string) => { sessionId: string; peer: string } | undefined,
  ) {}

  add(legId: string, e: SipTraceEntry): void {
    if (!this.bus) return;
    const entry = { at: new Date().toISOString(), ...e };
    const w = this.where(legId);
    if (!w) {
      const list = this.pending.get(legId) ?? [];
      if (list.length < MAX_PENDING_PER_LEG) list.push(entry);
      this.pending.set(legId, list);
      return;
    }
    this.flushLeg(legId);
    this.bus.emit('sip:message', { sessionId: w.sessionId, legId, peer: w.peer, ...entry });
  }

  /** Publishes what was held for legs whose session is now stored; forgets what waited too long. */
  flush(now = Date.now()): void {
    for (const [legId, held] of [...this.pending]) {
      if (now - Date.parse(held[0].at) > PENDING_KEPT_MS) this.pending.delete(legId);
      else this.flushLeg(legId);
    }
  }

  private flushLeg(legId: string): void {
    const held = this.pending.get(legId);
    const w = held && this.where(legId);
    if (!held || !w || !this.bus) return;
    this.pending.delete(legId);
    for (const entry of held) this.bus.emit('sip:message', { sessionId: w.sessionId, legId, peer: w.peer, ...entry });
  }

  request(legId: string, direction: 'in' | 'out', method: string, uri: string, callId: string, cseq: string, reason?: string): void {
    this.add(legId, { direction, method, firstLine: `${method} ${uri}`, callId, cseq, ...(reason ? { reason } : {}) });
  }

  response(legId: string, direction: 'in' | 'out', method: string, status: number, phrase: string, callId: string, cseq: string): void {
    this.add(legId, { direction, method, status, firstLine: `${status} ${phrase}`, callId, cseq });
  }

  /** An MSRP SEND / REPORT or response on the leg's media (D-163); `callId` is empty, `cseq` the MSRP transaction. */
  msrp(legId: string, t: MsrpTrace): void {
    const method = t.method ?? 'SEND';
    const detail = t.messageId ? ` ${t.messageId}${t.bodyBytes ? ` (${t.bodyBytes} bytes)` : ''}` : '';
    if (t.kind === 'response') this.add(legId, { direction: t.dir, method: 'MSRP', status: t.code, firstLine: `MSRP ${t.code ?? ''} (${t.tid})`.trim(), callId: '', cseq: `MSRP ${t.tid}` });
    else this.add(legId, { direction: t.dir, method: `MSRP ${method}`, firstLine: `MSRP ${method}${detail}`, callId: '', cseq: `MSRP ${t.tid}` });
  }
}
