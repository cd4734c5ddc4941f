// The MSRP relay core of one session, sans-IO: a back-to-back MSRP endpoint with legs on two sides
// (the served user's devices on one, the network on the other; D-164). The PF owns one local path
// URI per leg (advertised in that leg's SDP a=path, like a B2BUA rewrites the SDP): each client
// talks to the PF, never to another client. What arrives on a leg fans out to every live leg of
// the other side; the sender's transaction is answered by the first 200 (or, when every target
// failed, by the first failure).
//
// Inputs are past-tense facts (a parse event arrived on a leg, a leg's connection came up or was
// lost, time passed); outputs are actions for the shell (send this message on that leg, here is a
// whole message for inspection, close that leg). Time is an input; nextDeadline() says when to
// call poll() again.
//
// What it does (RFC 4975 §7; D-161):
// - a SEND chunk on leg X is forwarded to the peer leg Y chunk for chunk (same body bytes, same
//   Byte-Range, same flag, same Message-ID and report headers), with a new transaction id, To-Path
//   = Y's remote path, From-Path = the PF's URI on Y; the peer's response to it is mapped back as
//   the response to the original transaction on X (To-Path the previous hop, From-Path the PF's URI
//   on X), honouring the sender's Failure-Report: 'no' no response at all, 'partial' no 200;
// - a REPORT arriving on Y about a message forwarded to Y goes back to the leg the message came
//   from, addressed to the sender's From-Path; REPORTs are never answered;
// - chunks are also reassembled (per leg, by Message-ID): each whole message is handed out once
//   (action 'whole') for the PF's intercept / IMDN / store branches;
// - errors the PF finds itself are answered by the PF: 400 malformed, 413 too large (chunk or
//   message), 481 wrong To-Path or no peer to relay to, 408 the peer did not answer in time;
// - a leg in 'terminate' mode (the PF stands in for the peer) has its SENDs answered 200 by the
//   PF and handed out whole, not relayed; in 'gate' mode a message arriving whole in one chunk
//   waits for decide() (relay it, or answer it: the engine's IMDN-TX forward / drop);
// - a bodiless SEND (RFC 4975 §7.1: sent by the active side to bind the connection) is answered
//   and not relayed; when the PF is the active side it sends one itself (legConnected).
import type { MsrpMessage, MsrpRequest, MsrpResponse, FailureReport } from './message';
import { MSRP_REASONS } from './message';
import type { ParseEvent, MsrpHead } from './parser';
import { Reassembler, type ReassemblyLimits, type WholeMessage } from './reassembly';
import { newTid as randomTid, responseTo } from './serializer';
import { msrpUriTextEqual } from './uri';

export type LegId = string;
/**
 * relay: SENDs arriving on the leg go on to the peer; gate: a message that arrives whole in one
 * chunk is held until decide() (the engine's IMDN-TX / intercept verdict), larger ones are relayed;
 * terminate: the PF answers 200 and keeps the message (it stands in for the peer).
 */
export type LegMode = 'relay' | 'gate' | 'terminate';
/** idle: no connection yet (sends are queued by the shell); up; down: lost; released */
export type LegState = 'idle' | 'up' | 'down' | 'released';

export interface RelayLegConfig {
  id: LegId;
  /** the PF's MSRP URI for this leg (its SDP a=path) */
  localUri: string;
  /** the far end's a=path (first URI: the next hop); may be learnt later (setRemotePath) */
  remotePath?: string[];
  mode?: LegMode;
  /** legs on the same side never relay to each other (default: the leg's own id, a side of one) */
  side?: string;
}

export interface RelayOptions {
  /** names the session in traces */
  sessionId: string;
  /** at least one; more join with addLeg() */
  legs: RelayLegConfig[];
  /** how long a forwarded request waits for the peer's response before 408 (default 20 s) */
  transactionTimeoutMs?: number;
  reassembly?: Partial<ReassemblyLimits>;
  /** picks a transaction id that does not occur in the body (default: 12 random alphanumerics) */
  newTid?: (body?: Buffer) => string;
}

export type RelayAction =
  | { type: 'send'; leg: LegId; message: MsrpMessage }
  /** a whole message that arrived on `leg`; relayed: whether its chunks went on to the peer */
  | { type: 'whole'; leg: LegId; message: WholeMessage; relayed: boolean }
  /** the answer to a request the PF sent itself (sendRequest), or 408 when none came */
  | { type: 'local-response'; leg: LegId; tid: string; code: number; comment?: string }
  /** gate mode: a whole one-chunk message held until decide(leg, id, verdict) */
  | { type: 'decide'; leg: LegId; id: string; message: WholeMessage }
  /**
   * the answer (or 408/481 for none) of target `leg` to a request relayed from `originLeg`: one per
   * target, so the shell learns which devices took a message (IMDN-GEN-2, D-164)
   */
  | { type: 'outcome'; leg: LegId; originLeg: LegId; messageId?: string; firstChunk: boolean; code: number }
  /**
   * a request relayed from `leg` failed on every target (the sender got `code`): `head` is the
   * start of the message's body (its CPIM envelope), for the failed delivery notification of a
   * file transfer (IMDN-GEN-4, D-167)
   */
  | { type: 'failed'; leg: LegId; messageId?: string; code: number; head?: Buffer }
  | { type: 'close'; leg: LegId; reason: string };

interface Pending {
  /** relay: a forwarded request; local: the PF's own */
  kind: 'relay' | 'local';
  /** relay: the sender's transaction, shared by every target it was fanned out to */
  fan?: Fanout;
  failureReport: FailureReport;
  deadline: number;
}

/** One relayed request and its targets: the first success answers it, or the last failure. */
interface Fanout {
  originLeg: LegId;
  originTid: string;
  originFromPath: string[];
  messageId?: string;
  firstChunk: boolean;
  /** the start of the message's body (its first chunk's first bytes) */
  head?: Buffer;
  /** targets that have not answered yet */
  waiting: number;
  settled: boolean;
  firstError?: { code: number; comment?: string };
}

interface Forwarded { originLeg: LegId; reportTo: string[] }

interface Leg {
  cfg: RelayLegConfig;
  side: string;
  mode: LegMode;
  state: LegState;
  /** requests sent on this leg, awaiting its response, by transaction id */
  pending: Map<string, Pending>;
  /** messages forwarded to this leg (by Message-ID): where its REPORTs go back */
  forwarded: Map<string, Forwarded>;
  /** bytes forwarded per Message-ID still in progress (to abort it on the peer if refused) */
  inFlight: Map<string, number>;
  reassembler: Reassembler;
  /** the first bytes of messages being relayed chunk by chunk, by Message-ID */
  heads: Map<string, Buffer>;
  /** gate mode: requests held for a verdict, by hold id */
  held: Map<string, { req: MsrpRequest; deadline: number }>;
}

const REMEMBER_FORWARDED = 1024;
/** how much of a message's start is kept for the 'failed' action (a CPIM envelope fits) */
const HEAD_BYTES = 4096;
/** messages in progress per leg whose head is kept (beyond: the oldest is forgotten) */
const REMEMBER_HEADS = 64;

export interface RelayCounters {
  received: number;
  forwarded: number;
  answeredLocally: number;
  responsesMapped: number;
  reportsMapped: number;
  dropped: number;
  timeouts: number;
}

export class MsrpRelaySession {
  readonly sessionId: string;
  private readonly legs = new Map<LegId, Leg>();
  private readonly timeoutMs: number;
  private readonly pickTid: (body?: Buffer) => string;
  private readonly reassembly: Partial<ReassemblyLimits> | undefined;
  readonly counters: RelayCounters = { received: 0, forwarded: 0, answeredLocally: 0, responsesMapped: 0, reportsMapped: 0, dropped: 0, timeouts: 0 };

  constructor(opts: RelayOptions) {
    this.sessionId = opts.sessionId;
    this.timeoutMs = opts.transactionTimeoutMs ?? 20_000;
    this.pickTid = opts.newTid ?? ((body) => randomTid(body));
    this.reassembly = opts.reassembly;
    for (const cfg of opts.legs) this.addLeg(cfg);
  }

  /** A further leg (another device of the served user answering a fork, a re-joining client). */
  addLeg(cfg: RelayLegConfig): void {
    if (this.legs.has(cfg.id)) throw new Error(`leg ${cfg.id} exists in MSRP session ${this.sessionId}`);
    this.legs.set(cfg.id, {
      cfg: { ...cfg }, side: cfg.side ?? cfg.id, mode: cfg.mode ?? 'relay', state: 'idle', pending: new Map(), forwarded: new Map(),
      inFlight: new Map(), heads: new Map(), reassembler: new Reassembler(this.reassembly), held: new Map(),
    });
  }

  legIds(): LegId[] { return [...this.legs.keys()]; }
  has(leg: LegId): boolean { return this.legs.has(leg); }
  side(leg: LegId): string { return this.leg(leg).side; }
  localUri(leg: LegId): string { return this.leg(leg).cfg.localUri; }
  remotePath(leg: LegId): string[] | undefined { return this.leg(leg).cfg.remotePath; }
  state(leg: LegId): LegState { return this.leg(leg).state; }
  mode(leg: LegId): LegMode { return this.leg(leg).mode; }
  /** requests awaiting a response, all legs */
  get pendingCount(): number { let n = 0; for (const l of this.legs.values()) n += l.pending.size; return n; }

  /** The far end's path became known or changed (SDP answer, re-INVITE, re-join). */
  setRemotePath(leg: LegId, path: string[]): void { this.leg(leg).cfg.remotePath = [...path]; }

  /**
   * A released or lost leg comes back with a new far end (a client re-joining a session the PF
   * stayed in, BYE-4-R-iii-2): idle again until its new connection is up; what the PF sends it
   * meanwhile waits in the shell's queue.
   */
  rejoin(leg: LegId, path: string[]): void {
    const l = this.leg(leg);
    l.state = 'idle';
    l.cfg.remotePath = [...path];
  }

  /** relay: SENDs arriving on this leg go on to the peer; terminate: the PF answers and keeps them. */
  setMode(leg: LegId, mode: LegMode): void { this.leg(leg).mode = mode; }

  /** The leg's connection is up. When the PF opened it (active), it binds it with a bodiless SEND. */
  legConnected(leg: LegId, active: boolean, now: number): RelayAction[] {
    const l = this.leg(leg);
    if (l.state === 'released') return [];
    l.state = 'up';
    if (!active || !l.cfg.remotePath) return [];
    return this.sendRequest(leg, { method: 'SEND', messageId: this.pickTid(), failureReport: 'yes' }, now).actions;
  }

  /** The leg's connection was lost: what waited for it gets 408; later SENDs toward it get 481. */
  legDisconnected(leg: LegId, now: number): RelayAction[] {
    const l = this.leg(leg);
    if (l.state === 'released') return [];
    l.state = 'down';
    return this.failPending(l, 408, 'peer connection lost', now);
  }

  /** The leg's media is released (RELEASE_MEDIA): its connection closes, nothing more goes to it. */
  release(leg: LegId, now: number): RelayAction[] {
    const l = this.leg(leg);
    if (l.state === 'released') return [];
    l.state = 'released';
    const out = this.failPending(l, 481, 'session leg released', now);
    // requests from this leg still waiting on the peer: their answers have nowhere to go
    for (const other of this.legs.values()) {
      for (const [tid, p] of other.pending) if (p.fan?.originLeg === leg) other.pending.delete(tid);
    }
    l.reassembler.clear();
    l.inFlight.clear();
    l.heads.clear();
    l.held.clear();
    out.push({ type: 'close', leg, reason: 'released' });
    return out;
  }

  /**
   * A request of the PF's own on a leg (the binding SEND, a deferred message delivered on re-join).
   * Its response comes back as a 'local-response' action with the returned tid.
   */
  sendRequest(leg: LegId, req: Partial<Omit<MsrpRequest, 'kind' | 'tid' | 'toPath' | 'fromPath'>> & { method: string }, now: number): { tid: string; actions: RelayAction[] } {
    const l = this.leg(leg);
    if (!l.cfg.remotePath || l.state === 'released' || l.state === 'down') {
      return { tid: '', actions: [{ type: 'local-response', leg, tid: '', code: 481, comment: 'no connection on this leg' }] };
    }
    const tid = this.freshTid(l, req.body);
    const message: MsrpRequest = {
      headers: [], continuation: '$', ...req, kind: 'request', tid, toPath: [...l.cfg.remotePath], fromPath: [l.cfg.localUri],
    };
    const fr = message.failureReport ?? 'yes';
    if (fr !== 'no') l.pending.set(tid, { kind: 'local', failureReport: fr, deadline: now + this.timeoutMs });
    return { tid, actions: [{ type: 'send', leg, message }] };
  }

  /** A parse event from the connection of `leg` (the shell has matched it to this leg). */
  receive(leg: LegId, ev: ParseEvent, now: number): RelayAction[] {
    const x = this.leg(leg);
    if (x.state === 'released') return [];
    if (ev.type === 'fatal') return [{ type: 'close', leg, reason: ev.reason }];
    this.counters.received++;
    if (ev.type === 'invalid') return this.answerHead(x, ev.head, 400, ev.reason);
    if (ev.type === 'too-large') {
      const out = this.answerHead(x, ev.head, 413);
      if (ev.head.messageId) out.push(...this.abortOnPeer(x, ev.head.messageId, now));
      return out;
    }
    const m = ev.message;
    if (m.kind === 'response') return this.onResponse(x, m);
    if (!msrpUriTextEqual(m.toPath[0], x.cfg.localUri)) return this.answer(x, m, 481, 'To-Path is not this session');
    if (m.method === 'REPORT') return this.onReport(x, m);
    if (m.method === 'SEND') return this.onSend(x, m, now);
    // another method: relayed like a SEND unless the PF terminates the leg, then 501 (RFC 4975 §7.3.1)
    if (x.mode !== 'terminate') return this.forward(x, m, now);
    return this.answer(x, m, 501);
  }

  /** Times out transactions; call at nextDeadline(). */
  poll(now: number): RelayAction[] {
    const out: RelayAction[] = [];
    for (const l of this.legs.values()) {
      for (const [tid, p] of l.pending) {
        if (p.deadline > now) continue;
        l.pending.delete(tid);
        this.counters.timeouts++;
        out.push(...this.settle(p, l.cfg.id, tid, 408, MSRP_REASONS[408], true));
      }
      for (const [id, h] of l.held) {
        if (h.deadline > now) continue;
        l.held.delete(id);
        this.counters.timeouts++;
        out.push(...this.answer(l, h.req, 408, 'no verdict in time'));
      }
      l.reassembler.expire(now);
    }
    return out;
  }

  /**
   * The verdict on a message held in gate mode: relay it to the peer (its response will come back
   * to the sender), or answer it with `code` (e.g. 200: the PF drops it, IMDN-TX "drop").
   */
  decide(leg: LegId, id: string, verdict: 'relay' | { code: number; comment?: string }, now: number): RelayAction[] {
    const x = this.leg(leg);
    const h = x.held.get(id);
    if (!h) return [];
    x.held.delete(id);
    if (verdict === 'relay') return this.forward(x, h.req, now);
    return this.answer(x, h.req, verdict.code, verdict.comment);
  }

  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const l of this.legs.values()) {
      for (const p of l.pending.values()) if (d === undefined || p.deadline < d) d = p.deadline;
      for (const h of l.held.values()) if (d === undefined || h.deadline < d) d = h.deadline;
    }
    return d;
  }

  // ---------------------------------------------------------------------------------------------

  private leg(id: LegId): Leg {
    const l = this.legs.get(id);
    if (!l) throw new Error(`no leg ${id} in MSRP session ${this.sessionId}`);
    return l;
  }

  /** The legs what arrives on x goes to: the other side's, connected or about to be. */
  private targetsOf(x: Leg): Leg[] {
    const out: Leg[] = [];
    for (const l of this.legs.values()) {
      if (l.side !== x.side && l.state !== 'released' && l.state !== 'down' && l.cfg.remotePath) out.push(l);
    }
    return out;
  }

  private freshTid(l: Leg, body?: Buffer): string {
    for (;;) {
      const t = this.pickTid(body);
      if (!l.pending.has(t)) return t;
    }
  }

  private onSend(x: Leg, m: MsrpRequest, now: number): RelayAction[] {
    if (m.body === undefined && m.continuation === '$' && !(m.byteRange && m.byteRange.total !== '*' && m.byteRange.total > 0)) {
      // a bodiless SEND binds the connection (RFC 4975 §7.1); nothing to relay
      return this.answer(x, m, 200);
    }
    if (x.mode !== 'terminate' && this.targetsOf(x).length === 0) return this.answer(x, m, 481, 'the peer leg is not connected');
    const r = x.reassembler.add(m, now);
    if (r.type === 'invalid') return this.answer(x, m, 400, r.reason);
    if (r.type === 'too-large') {
      const out = this.answer(x, m, 413);
      out.push(...this.abortOnPeer(x, m.messageId!, now));
      return out;
    }
    const out: RelayAction[] = [];
    let relayed = false;
    if (x.mode === 'gate' && r.type === 'complete' && r.message.chunks === 1 && (m.byteRange?.start ?? 1) === 1) {
      const id = `${m.tid}/${m.messageId}`;
      x.held.set(id, { req: m, deadline: now + this.timeoutMs });
      return [{ type: 'decide', leg: x.cfg.id, id, message: r.message }];
    }
    if (x.mode === 'terminate') {
      out.push(...this.answer(x, m, 200));
    } else {
      out.push(...this.forward(x, m, now));
      relayed = true;
      const id = m.messageId!;
      if (r.type === 'complete' || r.type === 'aborted') {
        x.inFlight.delete(id);
        x.heads.delete(id);
      }
      else x.inFlight.set(id, Math.max(x.inFlight.get(id) ?? 0, endOf(m)));
    }
    if (r.type === 'complete') out.push({ type: 'whole', leg: x.cfg.id, message: r.message, relayed });
    return out;
  }

  /**
   * Forwards a request from x to every live leg of the other side, remembering where the responses
   * and REPORTs go back. The sender's transaction is answered once (settle).
   */
  private forward(x: Leg, m: MsrpRequest, now: number): RelayAction[] {
    const targets = this.targetsOf(x);
    if (targets.length === 0) return this.answer(x, m, 481, 'the peer leg is not connected');
    const fr = m.failureReport ?? 'yes';
    const firstChunk = (m.byteRange?.start ?? 1) === 1;
    const head = firstChunk ? m.body?.subarray(0, HEAD_BYTES) : m.messageId ? x.heads.get(m.messageId) : undefined;
    if (firstChunk && m.messageId && m.continuation === '+' && head) {
      x.heads.set(m.messageId, Buffer.from(head));
      if (x.heads.size > REMEMBER_HEADS) x.heads.delete(x.heads.keys().next().value as string);
    }
    const fan: Fanout = {
      originLeg: x.cfg.id, originTid: m.tid, originFromPath: m.fromPath, messageId: m.messageId, firstChunk, head, waiting: targets.length, settled: false,
    };
    const out: RelayAction[] = [];
    for (const y of targets) {
      const tid = this.freshTid(y, m.body);
      const fwd: MsrpRequest = { ...m, tid, toPath: [...y.cfg.remotePath!], fromPath: [y.cfg.localUri] };
      if (fr !== 'no') y.pending.set(tid, { kind: 'relay', fan, failureReport: fr, deadline: now + this.timeoutMs });
      if (m.messageId) {
        y.forwarded.delete(m.messageId);
        y.forwarded.set(m.messageId, { originLeg: x.cfg.id, reportTo: m.fromPath });
        if (y.forwarded.size > REMEMBER_FORWARDED) y.forwarded.delete(y.forwarded.keys().next().value as string);
      }
      this.counters.forwarded++;
      out.push({ type: 'send', leg: y.cfg.id, message: fwd });
    }
    return out;
  }

  private onResponse(x: Leg, r: MsrpResponse): RelayAction[] {
    const p = x.pending.get(r.tid);
    if (!p) { this.counters.dropped++; return []; }
    x.pending.delete(r.tid);
    return this.settle(p, x.cfg.id, r.tid, r.code, r.comment);
  }

  /** The outcome of a request sent on leg `on` (a response, or 408 on timeout). */
  private settle(p: Pending, on: LegId, tid: string, code: number, comment?: string, timedOut = false): RelayAction[] {
    if (p.kind === 'local') return [{ type: 'local-response', leg: on, tid, code, comment }];
    const fan = p.fan!;
    // with 'partial' the peer sends no 200: silence is success, not a timeout
    const ok = (code >= 200 && code < 300) || (timedOut && p.failureReport === 'partial');
    const out: RelayAction[] = [{ type: 'outcome', leg: on, originLeg: fan.originLeg, messageId: fan.messageId, firstChunk: fan.firstChunk, code: ok ? 200 : code }];
    if (fan.settled) return out;
    fan.waiting--;
    if (!ok) {
      fan.firstError ??= { code, comment };
      if (fan.waiting > 0) return out;
    }
    fan.settled = true;
    if (!ok) out.push({ type: 'failed', leg: fan.originLeg, messageId: fan.messageId, code: fan.firstError!.code, head: fan.head });
    const o = this.legs.get(fan.originLeg);
    if (!o || o.state === 'released') return out;
    if (ok && p.failureReport === 'partial') return out;
    const answer = ok ? { code, comment } : fan.firstError!;
    this.counters.responsesMapped++;
    const resp: MsrpResponse = {
      kind: 'response', tid: fan.originTid, code: answer.code, toPath: [fan.originFromPath[0]], fromPath: [o.cfg.localUri], headers: [],
    };
    if (answer.comment !== undefined) resp.comment = answer.comment;
    out.push({ type: 'send', leg: o.cfg.id, message: resp });
    return out;
  }

  private onReport(x: Leg, m: MsrpRequest): RelayAction[] {
    const f = m.messageId ? x.forwarded.get(m.messageId) : undefined;
    const o = f ? this.legs.get(f.originLeg) : undefined;
    if (!f || !o || o.state === 'released' || o.state === 'down') { this.counters.dropped++; return []; }
    this.counters.reportsMapped++;
    const tid = this.freshTid(o, m.body);
    return [{ type: 'send', leg: o.cfg.id, message: { ...m, tid, toPath: [...f.reportTo], fromPath: [o.cfg.localUri] } }];
  }

  /** Answers a request the PF handles itself, honouring its Failure-Report (RFC 4975 §7.2). */
  private answer(x: Leg, m: MsrpRequest, code: number, comment?: string): RelayAction[] {
    return this.answerHead(x, { tid: m.tid, method: m.method, fromPath: m.fromPath, failureReport: m.failureReport }, code, comment);
  }

  private answerHead(x: Leg, h: MsrpHead, code: number, comment?: string): RelayAction[] {
    if (h.method === undefined || h.method === 'REPORT' || !h.fromPath?.length) return []; // responses and REPORTs are not answered
    const fr = h.failureReport ?? 'yes';
    if (fr === 'no' || (fr === 'partial' && code === 200)) return [];
    this.counters.answeredLocally++;
    const r = responseTo({ tid: h.tid, fromPath: h.fromPath }, code, x.cfg.localUri, comment ?? MSRP_REASONS[code]);
    return [{ type: 'send', leg: x.cfg.id, message: r }];
  }

  /** A message refused part-way: the chunks the peer already has are ended with '#'. */
  private abortOnPeer(x: Leg, messageId: string, now: number): RelayAction[] {
    const sent = x.inFlight.get(messageId);
    x.inFlight.delete(messageId);
    if (sent === undefined) return [];
    void now;
    return this.targetsOf(x).map((y) => {
      const abort: MsrpRequest = {
        kind: 'request', tid: this.freshTid(y), method: 'SEND', toPath: [...y.cfg.remotePath!], fromPath: [y.cfg.localUri], headers: [],
        messageId, failureReport: 'no', byteRange: { start: sent + 1, end: sent, total: '*' }, contentType: 'text/plain',
        body: Buffer.alloc(0), continuation: '#',
      };
      return { type: 'send', leg: y.cfg.id, message: abort } as RelayAction;
    });
  }

  /** Requests sent on leg l that will get no response now: their origins get `code`. */
  private failPending(l: Leg, code: number, comment: string, _now: number): RelayAction[] {
    const out: RelayAction[] = [];
    for (const [tid, p] of l.pending) {
      l.pending.delete(tid);
      out.push(...this.settle(p, l.cfg.id, tid, code, comment));
    }
    return out;
  }
}

function endOf(m: MsrpRequest): number {
  return (m.byteRange?.start ?? 1) + (m.body?.length ?? 0) - 1;
}
