// RFC 3261 section 17 transaction state machines (with the RFC 6026 "Accepted" states).
// They know nothing about sockets: each one gets a `send` function bound to its destination,
// a `reliable` flag (TCP: no retransmission timers) and an injected Clock.
import type { Clock, TimerHandle } from './clock';
import { SipMessage } from './sip/message';

export interface TxnTimers {
  t1: number;
  t2: number;
  t4: number;
  /** Timer C: guard on a client INVITE stuck in Proceeding (RFC says > 3 min). */
  timerC: number;
}

export const DEFAULT_TIMERS: TxnTimers = { t1: 500, t2: 4000, t4: 5000, timerC: 180000 };

export type TimerName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export interface TxnEnv {
  clock: Clock;
  timers: TxnTimers;
  /** Observability hook (tests assert which timer fired). */
  onTimer?: (txn: Transaction, name: TimerName) => void;
}

/**
 * Sends a message (`bytes`: its serialisation, when the caller made it already), or the bytes
 * alone: a completed transaction's final response when a retransmission asks for it again (D-291).
 */
export type SendFn = (m: SipMessage | Buffer, bytes?: Buffer) => void;

abstract class TxnBase {
  abstract state: string;
  private handles = new Map<TimerName, TimerHandle>();
  onTerminated: (() => void) | undefined;

  private req: SipMessage | undefined;

  constructor(readonly env: TxnEnv, readonly key: string, request: SipMessage,
    readonly reliable: boolean, readonly send: SendFn) {
    this.req = request;
  }

  /** The request that began the transaction (a completed server non-INVITE has let it go, D-291). */
  get request(): SipMessage {
    if (!this.req) throw new Error(`transaction ${this.key}: its request was released when it completed`);
    return this.req;
  }

  protected releaseRequest(): void {
    this.req = undefined;
  }

  protected start(name: TimerName, ms: number, fn: () => void): void {
    this.stop(name);
    this.handles.set(name, this.env.clock.setTimeout(() => {
      this.handles.delete(name);
      if (this.state === 'terminated') return;
      this.env.onTimer?.(this as unknown as Transaction, name);
      fn();
    }, ms));
  }

  protected stop(name: TimerName): void {
    const h = this.handles.get(name);
    if (h !== undefined) { this.env.clock.clearTimeout(h); this.handles.delete(name); }
  }

  activeTimers(): TimerName[] { return [...this.handles.keys()]; }

  /** Ends the transaction now, clearing every timer (also used on shutdown). */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    for (const h of this.handles.values()) this.env.clock.clearTimeout(h);
    this.handles.clear();
    const cb = this.onTerminated;
    this.onTerminated = undefined;
    cb?.();
  }

  protected get t1(): number { return this.env.timers.t1; }
  protected get t2(): number { return this.env.timers.t2; }
  protected get t4(): number { return this.env.timers.t4; }
}

// ---------------------------------------------------------------- server, non-INVITE (17.2.2)

export class ServerNonInviteTxn extends TxnBase {
  readonly kind = 'server-non-invite' as const;
  state: 'trying' | 'proceeding' | 'completed' | 'terminated' = 'trying';
  /** the provisional response being re-sent while proceeding */
  lastResponse: SipMessage | undefined;
  /** the final response's status, 0 before it */
  finalStatus = 0;
  /** the final response as sent, kept for Timer J */
  private finalBytes: Buffer | undefined;

  /** the final response's bytes once completed over UDP (a UA may keep them in its place, D-326) */
  get completedBytes(): Buffer | undefined {
    return this.state === 'completed' ? this.finalBytes : undefined;
  }

  /** A retransmitted request: absorbed; the last response (if any) is sent again. */
  retransmission(): void {
    if (this.state === 'completed' && this.finalBytes) this.send(this.finalBytes);
    else if (this.state === 'proceeding' && this.lastResponse) this.send(this.lastResponse);
  }

  // Over UDP a completed transaction lives 64*T1 (32 s) only to answer retransmissions of its
  // request. At a few thousand requests a second that is tens of thousands of them: each keeps
  // the bytes of its final response and no parsed message (the request, the response, and the
  // datagram the request's strings were cut from), a few KB of heap less each (D-291).
  respond(res: SipMessage): boolean {
    if (this.state === 'completed' || this.state === 'terminated') return false;
    if (res.status < 200) {
      this.lastResponse = res;
      this.send(res);
      this.state = 'proceeding';
      return true;
    }
    this.state = 'completed';
    this.finalStatus = res.status;
    this.lastResponse = undefined;
    if (this.reliable) {
      this.send(res);
      this.terminate();
      return true;
    }
    // sent as a message, so what watches messages sent sees it; kept as its bytes
    const bytes = res.toBuffer();
    this.send(res, bytes);
    this.finalBytes = bytes;
    this.releaseRequest();
    this.start('J', 64 * this.t1, () => this.terminate());
    return true;
  }
}

// ---------------------------------------------------------------- server, INVITE (17.2.1 + RFC 6026)

export class ServerInviteTxn extends TxnBase {
  readonly kind = 'server-invite' as const;
  state: 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated' = 'proceeding';
  lastResponse: SipMessage | undefined;
  /** Called when no ACK arrived for a 2xx within 64*T1 (the UA core then sends BYE). */
  onAckTimeout: (() => void) | undefined;
  /** Called when no ACK arrived for a non-2xx final (Timer H). */
  onNoAck: (() => void) | undefined;
  ackedAt: number | undefined;

  retransmission(): void {
    // In Accepted the INVITE retransmission is absorbed (RFC 6026 8.5) but re-sending the
    // 2xx speeds recovery when it was the 2xx that got lost.
    if (this.state === 'terminated' || this.state === 'confirmed' || !this.lastResponse) return;
    if (this.state === 'accepted' && this.ackedAt !== undefined) return; // ACKed: nothing left to repair
    this.send(this.lastResponse);
  }

  respond(res: SipMessage): boolean {
    if (this.state !== 'proceeding') return false;
    this.lastResponse = res;
    this.send(res);
    if (res.status < 200) return true;
    if (res.status < 300) {
      this.state = 'accepted';
      // 2xx retransmission belongs to the UAS core (13.3.1.4); it is kept here because the
      // schedule is the same as Timer G/H.
      if (!this.reliable) this.scheduleG(this.t1);
      this.start('H', 64 * this.t1, () => { const cb = this.onAckTimeout; this.terminate(); cb?.(); });
      return true;
    }
    this.state = 'completed';
    if (!this.reliable) this.scheduleG(this.t1);
    this.start('H', 64 * this.t1, () => { const cb = this.onNoAck; this.terminate(); cb?.(); });
    return true;
  }

  private scheduleG(interval: number): void {
    this.start('G', interval, () => {
      if (this.lastResponse && (this.state === 'completed' || this.state === 'accepted')) {
        this.send(this.lastResponse);
        this.scheduleG(Math.min(2 * interval, this.t2));
      }
    });
  }

  /** ACK for a non-2xx final (same transaction). */
  ack(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.stop('G');
    this.stop('H');
    if (this.reliable) this.terminate();
    else this.start('I', this.t4, () => this.terminate());
  }

  /** ACK for the 2xx (a separate transaction, matched by the dialog layer). */
  ack2xx(): void {
    if (this.state !== 'accepted') return;
    this.ackedAt = this.env.clock.now();
    this.stop('G');
    this.stop('H');
    // Timer L (RFC 6026): keep absorbing INVITE retransmissions for a while.
    if (this.reliable) this.terminate();
    else this.start('L', 64 * this.t1, () => this.terminate());
  }
}

// ---------------------------------------------------------------- client, non-INVITE (17.1.2)

export interface ClientCallbacks {
  onResponse(res: SipMessage): void;
  /** Timer B/F fired or Timer C: the TU synthesizes a 408. */
  onTimeout(): void;
}

export class ClientNonInviteTxn extends TxnBase {
  readonly kind = 'client-non-invite' as const;
  state: 'trying' | 'proceeding' | 'completed' | 'terminated' = 'trying';

  constructor(env: TxnEnv, key: string, request: SipMessage, reliable: boolean, send: SendFn,
    readonly cb: ClientCallbacks) {
    super(env, key, request, reliable, send);
  }

  begin(): void {
    this.send(this.request);
    if (!this.reliable) this.scheduleE(this.t1);
    this.start('F', 64 * this.t1, () => { this.terminate(); this.cb.onTimeout(); });
  }

  private scheduleE(interval: number): void {
    this.start('E', interval, () => {
      this.send(this.request);
      const next = this.state === 'proceeding' ? this.t2 : Math.min(2 * interval, this.t2);
      this.scheduleE(next);
    });
  }

  receive(res: SipMessage): void {
    if (this.state === 'completed' || this.state === 'terminated') return; // retransmitted final: absorbed
    if (res.status < 200) {
      this.state = 'proceeding';
      this.cb.onResponse(res);
      return;
    }
    this.state = 'completed';
    this.stop('E');
    this.stop('F');
    this.cb.onResponse(res);
    // nothing is sent again from here: Timer K only absorbs retransmitted finals (D-300)
    this.releaseRequest();
    if (this.reliable) this.terminate();
    else this.start('K', this.t4, () => this.terminate());
  }
}

// ---------------------------------------------------------------- client, INVITE (17.1.1 + RFC 6026)

export class ClientInviteTxn extends TxnBase {
  readonly kind = 'client-invite' as const;
  state: 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated' = 'calling';
  /** The ACK the transaction generated for a non-2xx final (re-sent on retransmitted finals). */
  ackForFinal: SipMessage | undefined;

  constructor(env: TxnEnv, key: string, request: SipMessage, reliable: boolean, send: SendFn,
    readonly cb: ClientCallbacks) {
    super(env, key, request, reliable, send);
  }

  begin(): void {
    this.send(this.request);
    if (!this.reliable) this.scheduleA(this.t1);
    this.start('B', 64 * this.t1, () => { this.terminate(); this.cb.onTimeout(); });
  }

  private scheduleA(interval: number): void {
    this.start('A', interval, () => {
      if (this.state !== 'calling') return;
      this.send(this.request);
      this.scheduleA(2 * interval);
    });
  }

  receive(res: SipMessage): void {
    if (this.state === 'terminated') return;
    if (res.status < 200) {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      if (this.state === 'calling') {
        this.stop('A');
        this.stop('B');
      }
      this.state = 'proceeding';
      this.start('C', this.env.timers.timerC, () => { this.terminate(); this.cb.onTimeout(); });
      this.cb.onResponse(res);
      return;
    }
    if (res.status < 300) {
      // Every 2xx (including retransmissions and forks) goes to the TU, which ACKs it.
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.stop('A'); this.stop('B'); this.stop('C');
        this.state = 'accepted';
        this.start('M', 64 * this.t1, () => this.terminate());
      }
      if (this.state === 'accepted') this.cb.onResponse(res);
      return;
    }
    if (this.state === 'completed') {
      if (this.ackForFinal) this.send(this.ackForFinal);
      return;
    }
    if (this.state === 'accepted') return;
    this.stop('A'); this.stop('B'); this.stop('C');
    this.state = 'completed';
    this.ackForFinal = buildNon2xxAck(this.request, res);
    this.send(this.ackForFinal);
    this.cb.onResponse(res);
    // Timer D: >= 32 s for unreliable transports at default timers; it scales with T1 so that
    // short-timer test runs drain quickly.
    if (this.reliable) this.terminate();
    else this.start('D', 64 * this.t1, () => this.terminate());
  }
}

/** RFC 3261 17.1.1.3: the ACK for a non-2xx final shares the INVITE's branch. */
export function buildNon2xxAck(invite: SipMessage, res: SipMessage): SipMessage {
  const ack = SipMessage.request('ACK', invite.uri);
  ack.add('Via', invite.getAll('via')[0]);
  for (const r of invite.getAll('route')) ack.add('Route', r);
  ack.add('Max-Forwards', '70');
  ack.add('From', invite.get('from')!);
  ack.add('To', res.get('to') ?? invite.get('to')!);
  ack.add('Call-ID', invite.get('call-id')!);
  const seq = (invite.get('cseq') ?? '1').trim().split(/\s+/)[0];
  ack.add('CSeq', `${seq} ACK`);
  return ack;
}

export type ServerTxn = ServerNonInviteTxn | ServerInviteTxn;
export type ClientTxn = ClientNonInviteTxn | ClientInviteTxn;
export type Transaction = ServerTxn | ClientTxn;
