// MSRP as the session's message carrier (D-163, superseding D-103 for offers with a=path): when
// an invitation's SDP carries an MSRP stream with a=path, the PF anchors the media plane. One
// relay session (server/msrp) per CPM session, with two relay legs: 'client' (the served user's
// client) and 'net' (the network side: remote PF, CF, IWF). The SDP sent on each leg names the
// PF's own URI for that leg (a=path, c=, m= port); who connects follows D-161.
//
// What arrives over MSRP goes through the branches an in-dialog MESSAGE goes through
// (chat-carrier.ts): a client's notification waits in gate mode for IMDN-TX (MSRP_RELAY / MSRP_RESP
// become the relay's verdict); a client's chat message and isComposing are noted and relayed; a
// far-side chat message is noted for IMDN-TX's index and its acceptance by the client counted;
// while the PF stands in for a disconnected user the net leg is in terminate mode and each whole
// message becomes the engine's MSRP_SEND_RECEIVED; deferred items on re-join are the PF's own
// SENDs on the new client connection.
import type { InterceptedItem } from '../../engine/bye/inputs';
import type { CpmSession } from '../../engine/model';
import type { Logger } from '../../log';
import type { WholeMessage } from '../../msrp/reassembly';
import type { MsrpListener, MsrpListenerOptions, MsrpSessionHandle, MsrpTrace } from '../../msrp/listener';
import { readMsrpMedia, rewriteMsrpMedia, roleAnswering, roleOffering, type MsrpMedia, type SetupAttr } from '../../msrp/sdp';
import type { SrfResponseOut } from '../srf-types';
import { interceptedItem } from './chat-carrier';
import type { SessionRuntime } from './session-runtime';

export type Side = 'client' | 'net';

interface Media {
  h: MsrpSessionHandle;
  /** relay leg → the session leg it stands for now (a re-join changes the client's) */
  legs: Partial<Record<Side, string>>;
}

const REMEMBERED_RESPONSES = 512;

export class MsrpCarrier {
  listener?: MsrpListener;
  private rt?: SessionRuntime;
  private readonly media = new Map<string, Media>();
  /** `${sessionId}|${tid}` of a far-side chat message's first chunk → what to do with the client's answer */
  private readonly awaiting = new Map<string, (code: number) => void>();
  /** the same key → the answer already sent back on the net leg */
  private readonly responded = new Map<string, number>();
  /** `${sessionId}|${tid}` of the PF's own SEND → its answer's handler */
  private readonly own = new Map<string, (code: number) => void>();

  constructor(private readonly log: Logger) {}

  attach(rt: SessionRuntime): void {
    this.rt = rt;
  }

  /** The listener's callbacks (the listener is started before the session runtime exists). */
  hooks(): Pick<MsrpListenerOptions, 'onWhole' | 'onDecide' | 'onLocalResponse' | 'onLegDisconnected' | 'onTrace'> {
    return {
      onWhole: (sessionId, leg, m, relayed) => this.guard(() => this.onWhole(sessionId, leg as Side, m, relayed)),
      onDecide: (sessionId, leg, id, m) => this.guard(() => this.onDecide(sessionId, leg as Side, id, m)),
      onLocalResponse: (sessionId, _leg, tid, code) => {
        const k = `${sessionId}|${tid}`;
        const f = this.own.get(k);
        this.own.delete(k);
        this.guard(() => f?.(code));
      },
      onLegDisconnected: (sessionId, leg, reason) => this.log.info(`MSRP session ${sessionId}: ${leg} connection lost (${reason})`),
      onTrace: (t) => this.guard(() => this.onTrace(t)),
    };
  }

  /** The MSRP stream of an offer the PF can anchor: an m=message line with a=path. */
  static offered(sdp: string): MsrpMedia | undefined {
    return readMsrpMedia(sdp);
  }

  /** Starts the relay of a session whose offer came from `side` (its path known). */
  open(sessionId: string, offeredBy: Side, path: string[]): boolean {
    if (!this.listener) return false;
    const client = { id: 'client', mode: 'gate' as const, ...(offeredBy === 'client' ? { remotePath: path } : {}) };
    const net = { id: 'net', ...(offeredBy === 'net' ? { remotePath: path } : {}) };
    this.media.set(sessionId, { h: this.listener.createSession(sessionId, [client, net]), legs: {} });
    return true;
  }

  has(sessionId: string): boolean {
    return this.media.has(sessionId);
  }

  /** `sdp` with its MSRP stream pointing at the PF's endpoint for `side`. */
  sdpFor(sessionId: string, side: Side, sdp: string, setup: SetupAttr): string {
    const m = this.media.get(sessionId)!;
    return rewriteMsrpMedia(sdp, { host: this.listener!.host, port: this.listener!.port, path: m.h.localUri(side), setup });
  }

  /**
   * The answer from `side` to the PF's offer (a=setup:actpass): its path is learnt and, unless it
   * says active, the PF connects (D-161). False when the answer has no MSRP stream with a=path.
   */
  answered(sessionId: string, side: Side, answer: string): boolean {
    const m = this.media.get(sessionId);
    const media = readMsrpMedia(answer);
    if (!m || !media) return false;
    m.h.setRemotePath(side, media.path);
    if (roleOffering(media.setup) === 'active') m.h.connect(side);
    return true;
  }

  /** The PF answers `side`'s offer with `sdp`: the rewritten answer, and whether the PF connects. */
  answerTo(sessionId: string, side: Side, offer: MsrpMedia, sdp: string): { sdp: string; connect: () => void } {
    const role = roleAnswering(offer.setup);
    const m = this.media.get(sessionId)!;
    return { sdp: this.sdpFor(sessionId, side, sdp, role.answer), connect: () => (role.pf === 'active' ? m.h.connect(side) : undefined) };
  }

  /**
   * A client returns to a session the PF stayed in (BYE-4-R-iii-2) and offers MSRP: the client
   * relay leg takes the new path, and the client is answered with `farSdp` pointing at the PF.
   * Undefined when the session's media is not anchored.
   */
  rejoin(sessionId: string, offer: MsrpMedia, farSdp: string): { sdp: string; connect: () => void } | undefined {
    const m = this.media.get(sessionId);
    if (!m || !readMsrpMedia(farSdp)) return undefined;
    m.h.rejoin('client', offer.path);
    m.h.setMode('client', 'gate');
    return this.answerTo(sessionId, 'client', offer, farSdp);
  }

  bind(sessionId: string, side: Side, legId: string): void {
    const m = this.media.get(sessionId);
    if (m) m.legs[side] = legId;
  }

  /** The relay leg a session leg is carried on, if its messages travel over MSRP. */
  sideOf(sessionId: string, legId: string): Side | undefined {
    const m = this.media.get(sessionId);
    if (!m) return undefined;
    return m.legs.client === legId ? 'client' : m.legs.net === legId ? 'net' : undefined;
  }

  /** RELEASE_MEDIA / STOP_MEDIA: the legs' MSRP connections are closed. */
  release(sessionId: string, legs: string[] | 'ALL'): void {
    const m = this.media.get(sessionId);
    if (!m) return;
    if (legs === 'ALL') return this.close(sessionId);
    for (const l of legs) {
      const side = this.sideOf(sessionId, l);
      if (side && m.h.state(side) !== 'released') m.h.release(side);
    }
  }

  /** SET_MODE: while the PF stands in for the user (BYE-4-R) it answers the network's SENDs itself. */
  mode(sessionId: string, mode: CpmSession['mode']): void {
    const m = this.media.get(sessionId);
    if (!m) return;
    if (mode === 'RELEASED') return this.close(sessionId);
    if (m.h.state('net') !== 'released') m.h.setMode('net', mode === 'REMAIN_DISCONNECTED' ? 'terminate' : 'relay');
  }

  close(sessionId: string): void {
    const m = this.media.get(sessionId);
    if (!m) return;
    this.media.delete(sessionId);
    m.h.close();
  }

  /** A message of the PF's own on a leg (a deferred item on re-join); `done` gets the answer. */
  send(sessionId: string, legId: string, contentType: string, body: string, done: (code: number) => void): boolean {
    const m = this.media.get(sessionId);
    const side = this.sideOf(sessionId, legId);
    if (!m || !side) return false;
    const bytes = Buffer.from(body, 'utf8');
    const messageId = `pf${Math.random().toString(36).slice(2, 12)}`;
    const tid = m.h.sendRequest(side, { method: 'SEND', messageId, contentType, body: bytes, byteRange: { start: 1, end: bytes.length, total: bytes.length }, failureReport: 'yes', continuation: '$' });
    if (!tid) done(481);
    else this.own.set(`${sessionId}|${tid}`, done);
    return true;
  }

  // --- what arrives ------------------------------------------------------------------------------

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error(`MSRP: ${(err as Error).stack ?? (err as Error).message}`);
    }
  }

  private context(sessionId: string, side: Side) {
    const rt = this.rt;
    const m = this.media.get(sessionId);
    const s = rt?.session(sessionId);
    const legId = m?.legs[side];
    return rt && m && s && legId ? { rt, m, s, legId } : undefined;
  }

  /** gate mode (the client leg): a one-chunk message waits for what the engine says. */
  private onDecide(sessionId: string, side: Side, id: string, msg: WholeMessage): void {
    const c = this.context(sessionId, side);
    // the session value is stored just after its answers were sent: a message that early is relayed
    if (!c) return this.media.get(sessionId)?.h.decide(side, id, 'relay');
    const { contentType, body } = textOf(msg);
    const item = interceptedItem(contentType, body);
    if (side === 'client' && item.kind === 'IMDN') {
      // IMDN-TX (SPEC §9): MSRP_RESP answers the held SEND, MSRP_RELAY lets it go on
      const txn = c.rt.hold(verdict((code) => c.m.h.decide(side, id, { code })));
      void c.rt.clientImdn(sessionId, c.legId, contentType, body, txn, () => c.m.h.decide(side, id, 'relay'));
      return;
    }
    this.noteWhole(c, side, item, msg.head.tid);
    c.m.h.decide(side, id, 'relay');
  }

  private onWhole(sessionId: string, side: Side, msg: WholeMessage, relayed: boolean): void {
    const c = this.context(sessionId, side);
    if (!c) return;
    const { contentType, body } = textOf(msg);
    const item = interceptedItem(contentType, body);
    if (!relayed && side === 'net') {
      // terminate mode: the PF stands in for the disconnected user (BYE-4-R-ii) and answered 200
      const txn = c.rt.hold(verdict(() => undefined));
      void c.rt.bye(sessionId, { kind: 'MSRP_SEND_RECEIVED', legId: c.legId, chunk: txn, item });
      return;
    }
    this.noteWhole(c, side, item, msg.head.tid);
  }

  /** What IMDN handling learns of a relayed message (chat-carrier.ts does the same for MESSAGE). */
  private noteWhole(c: NonNullable<ReturnType<MsrpCarrier['context']>>, side: Side, item: InterceptedItem, firstTid: string): void {
    const fromServedSide = side === 'client';
    void c.rt.noteChatItem(c.s.id, fromServedSide, item);
    if (fromServedSide || item.kind !== 'CHAT' || !item.messageId) return;
    c.rt.noteReceivedChat(c.s, item, c.legId);
    const messageId = item.messageId;
    // the client's answer to the first chunk, mapped back on the net leg, says it took the message
    this.onAnswer(`${c.s.id}|${firstTid}`, (code) => {
      if (code < 200 || code >= 300) return;
      c.rt.receivedChatAccepted(c.s.servedUser, messageId);
      const client = c.rt.session(c.s.id)?.legs.find((l) => l.id === c.m.legs.client);
      if (client) void c.rt.chatDelivered(c.s, client, item.contentType, item.body).catch(() => undefined);
    });
  }

  private onAnswer(key: string, f: (code: number) => void): void {
    const code = this.responded.get(key);
    if (code !== undefined) {
      this.responded.delete(key);
      return f(code);
    }
    this.awaiting.set(key, f);
    setTimeout(() => this.awaiting.delete(key), 30_000).unref();
  }

  private onTrace(t: MsrpTrace): void {
    if (!t.sessionId) return;
    const m = this.media.get(t.sessionId);
    const legId = t.leg ? m?.legs[t.leg as Side] : undefined;
    if (legId) this.rt?.trace.msrp(legId, t);
    if (t.dir === 'out' && t.kind === 'response' && t.leg === 'net' && t.code !== undefined) {
      const key = `${t.sessionId}|${t.tid}`;
      const f = this.awaiting.get(key);
      if (f) {
        this.awaiting.delete(key);
        f(t.code);
        return;
      }
      this.responded.set(key, t.code);
      if (this.responded.size > REMEMBERED_RESPONSES) this.responded.delete(this.responded.keys().next().value as string);
    }
  }
}

/** A held MSRP transaction as the runtime's responder (SEND_RESP / MSRP_RESP answer it by code). */
function verdict(answer: (code: number) => void): SrfResponseOut {
  const r = {
    finished: false,
    send(code: number) {
      if (r.finished) return;
      r.finished = true;
      answer(code);
    },
  };
  return r as unknown as SrfResponseOut;
}

function textOf(msg: WholeMessage): { contentType: string; body: string } {
  return { contentType: msg.contentType ?? 'text/plain', body: msg.body.toString('utf8') };
}

