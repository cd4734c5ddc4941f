// MSRP as the session's message carrier (D-163, superseding D-103 for offers with a=path): when
// an invitation's SDP carries an MSRP stream with a=path, the PF anchors the media plane. One
// relay session (server/msrp) per CPM session, with two relay legs: 'client' (the served user's
// client) and 'net' (the network side: remote PF, CF, IWF). The SDP sent on each leg names the
// PF's own URI for that leg (a=path, c=, m= port); who connects follows D-161.
//
// What arrives over MSRP goes through the session's branches (the only carrier of a session's
// messages, D-266): a client's notification waits in gate mode for IMDN-TX (MSRP_RELAY / MSRP_RESP
// become the relay's verdict); a client's chat message and isComposing are noted and relayed; a
// far-side chat message is noted for IMDN-TX's index and its acceptance by the client counted;
// while the PF stands in for a disconnected user the net leg is in terminate mode and each whole
// message becomes the engine's MSRP_SEND_RECEIVED; deferred items on re-join are the PF's own
// SENDs on the new client connection.
import { randomUUID } from 'node:crypto';
import type { InterceptedItem } from '../../engine/bye/inputs';
import { parseCpim } from '../../engine/parse/cpim';
import type { CpmService } from '../../engine/parse/feature-tags';
import type { CpmSession } from '../../engine/model';
import type { Logger } from '../../log';
import type { WholeMessage } from '../../msrp/reassembly';
import type { MsrpListener, MsrpListenerOptions, MsrpSessionHandle, MsrpTrace } from '../../msrp/listener';
import { readMsrpMedia, rewriteMsrpMedia, roleAnswering, roleOffering, type MsrpMedia, type SetupAttr } from '../../msrp/sdp';
import type { SrfResponseOut } from '../srf-types';
import { interceptedItem } from './intercepted-item';
import type { SessionRuntime } from './session-runtime';

export type Side = 'client' | 'net';

interface Media {
  h: MsrpSessionHandle;
  /** relay leg ('net', 'client', 'client-2', ...) → the session leg it stands for */
  legs: Map<string, string>;
  /** how many client relay legs were made (names the next one) */
  clients: number;
  /** the CPM service of the invitation (a file transfer's MSRP errors are reported, D-167) */
  service?: CpmService;
  /** file transfers already reported failed, by MSRP Message-ID */
  failed: Set<string>;
  /** what each device's MSRP SDP accepts (IMDN-GEN-2-SDP), by client relay leg */
  caps: Map<string, { acceptTypes: string[]; acceptWrappedTypes: string[] }>;
}

/** device answers kept for messages not yet seen whole */
const REMEMBERED_RESPONSES = 512;

export class MsrpCarrier {
  listener?: MsrpListener;
  private rt?: SessionRuntime;
  private readonly media = new Map<string, Media>();
  /** `${sessionId}|${originLeg}|${msrp Message-ID}` of a far-side chat message → what to do with each device's answer */
  private readonly awaiting = new Map<string, (relayLeg: string, code: number) => void>();
  /** the same key → device answers that came before the whole message was seen */
  private readonly early = new Map<string, Array<[string, number]>>();
  /** `${sessionId}|${tid}` of the PF's own SEND → its answer's handler */
  private readonly own = new Map<string, (code: number) => void>();

  /**
   * @param lossGraceMs how long a lost MSRP connection waits before it is the engine's
   * MEDIA_CONNECTION_LOST (D-165): a client closing its connection just before its BYE is handled
   * as the BYE says
   */
  constructor(private readonly log: Logger, private readonly lossGraceMs = 2000) {}

  attach(rt: SessionRuntime): void {
    this.rt = rt;
  }

  /** The listener's callbacks (the listener is started before the session runtime exists). */
  hooks(): Pick<MsrpListenerOptions, 'onWhole' | 'onDecide' | 'onLocalResponse' | 'onLegDisconnected' | 'onTrace' | 'onOutcome' | 'onFailed'> {
    return {
      onWhole: (sessionId, leg, m, relayed) => this.guard(() => this.onWhole(sessionId, leg, m, relayed)),
      onDecide: (sessionId, leg, id, m) => this.guard(() => this.onDecide(sessionId, leg, id, m)),
      onLocalResponse: (sessionId, _leg, tid, code) => {
        const k = `${sessionId}|${tid}`;
        const f = this.own.get(k);
        this.own.delete(k);
        this.guard(() => f?.(code));
      },
      onOutcome: (sessionId, o) => this.guard(() => this.onOutcome(sessionId, o)),
      onFailed: (sessionId, f) => this.guard(() => this.onFailed(sessionId, f)),
      onLegDisconnected: (sessionId, leg, reason) => this.guard(() => this.onLost(sessionId, leg, reason)),
      onTrace: (t) => this.guard(() => this.onTrace(t)),
    };
  }

  /** The MSRP stream of an offer the PF can anchor: an m=message line with a=path. */
  static offered(sdp: string): MsrpMedia | undefined {
    return readMsrpMedia(sdp);
  }

  /**
   * Starts the relay of a session whose offer came from `side` (its path known): the net relay
   * leg, and for a client's offer its relay leg 'client'. The devices a network offer is forked to
   * get theirs from addClient.
   */
  open(sessionId: string, offeredBy: Side, path: string[], service?: CpmService): boolean {
    if (!this.listener) return false;
    // gate mode: a far-side notification waits for IMDN-RX (D-166)
    const net = { id: 'net', side: 'net', mode: 'gate' as const, ...(offeredBy === 'net' ? { remotePath: path } : {}) };
    const m: Media = { h: this.listener.createSession(sessionId, [net]), legs: new Map(), clients: 0, service, failed: new Set(), caps: new Map() };
    this.media.set(sessionId, m);
    if (offeredBy === 'client') this.addClient(sessionId, path);
    return true;
  }

  /**
   * A relay leg for one device of the served user (each fork target, a re-joining client): its own
   * PF URI, so several devices can hold the session at once (D-164). Gate mode: a notification the
   * device sends waits for IMDN-TX.
   */
  addClient(sessionId: string, path?: string[]): string {
    const m = this.media.get(sessionId)!;
    m.clients++;
    const id = m.clients === 1 ? 'client' : `client-${m.clients}`;
    m.h.addLeg({ id, side: 'client', mode: 'gate', ...(path ? { remotePath: path } : {}) });
    return id;
  }

  has(sessionId: string): boolean {
    return this.media.has(sessionId);
  }

  /** `sdp` with its MSRP stream pointing at the PF's endpoint for relay leg `leg`. */
  sdpFor(sessionId: string, leg: string, sdp: string, setup: SetupAttr): string {
    const m = this.media.get(sessionId)!;
    return rewriteMsrpMedia(sdp, { host: this.listener!.host, port: this.listener!.port, path: m.h.localUri(leg), setup });
  }

  /**
   * The answer on relay leg `leg` to the PF's offer (a=setup:actpass): its path is learnt and,
   * unless it says active, the PF connects (D-161). False when the answer has no MSRP stream with a=path.
   */
  answered(sessionId: string, leg: string, answer: string): boolean {
    const m = this.media.get(sessionId);
    const media = readMsrpMedia(answer);
    if (!m || !media) return false;
    m.h.setRemotePath(leg, media.path);
    noteCaps(m, leg, media);
    if (roleOffering(media.setup) === 'active') m.h.connect(leg);
    return true;
  }

  /** The PF answers the offer that came on relay leg `leg` with `sdp`: the rewritten answer, and whether the PF connects. */
  answerTo(sessionId: string, leg: string, offer: MsrpMedia, sdp: string): { sdp: string; connect: () => void } {
    const role = roleAnswering(offer.setup);
    const m = this.media.get(sessionId)!;
    noteCaps(m, leg, offer);
    return { sdp: this.sdpFor(sessionId, leg, sdp, role.answer), connect: () => (role.pf === 'active' ? m.h.connect(leg) : undefined) };
  }

  /**
   * A client returns to a session the PF stayed in (BYE-4-R-iii-2) and offers MSRP: it gets a new
   * client relay leg with its path, and is answered with `farSdp` pointing at the PF.
   * Undefined when the session's media is not anchored.
   */
  rejoin(sessionId: string, offer: MsrpMedia, farSdp: string): { leg: string; sdp: string; connect: () => void } | undefined {
    const m = this.media.get(sessionId);
    if (!m || !readMsrpMedia(farSdp)) return undefined;
    const leg = this.addClient(sessionId, offer.path);
    return { leg, ...this.answerTo(sessionId, leg, offer, farSdp) };
  }

  bind(sessionId: string, relayLeg: string, legId: string): void {
    this.media.get(sessionId)?.legs.set(relayLeg, legId);
  }

  /** A device's relay leg that will carry nothing (its fork failed, or it answered without MSRP). */
  drop(sessionId: string, relayLeg: string): void {
    const m = this.media.get(sessionId);
    if (m?.h.has(relayLeg) && m.h.state(relayLeg) !== 'released') m.h.release(relayLeg);
  }

  /** The relay leg a session leg is carried on, if its messages travel over MSRP. */
  sideOf(sessionId: string, legId: string): string | undefined {
    const m = this.media.get(sessionId);
    if (!m) return undefined;
    for (const [relayLeg, l] of m.legs) if (l === legId) return relayLeg;
    return undefined;
  }

  /** RELEASE_MEDIA / STOP_MEDIA: the legs' MSRP connections are closed. */
  release(sessionId: string, legs: string[] | 'ALL'): void {
    const m = this.media.get(sessionId);
    if (!m) return;
    if (legs === 'ALL') return this.close(sessionId);
    for (const l of legs) {
      const relayLeg = this.sideOf(sessionId, l);
      if (relayLeg) this.drop(sessionId, relayLeg);
    }
  }

  /** SET_MODE: while the PF stands in for the user (BYE-4-R) it answers the network's SENDs itself. */
  mode(sessionId: string, mode: CpmSession['mode']): void {
    const m = this.media.get(sessionId);
    if (!m) return;
    if (mode === 'RELEASED') return this.close(sessionId);
    for (const leg of m.h.legIds()) {
      if (m.h.side(leg) === 'net' && m.h.state(leg) !== 'released') m.h.setMode(leg, mode === 'REMAIN_DISCONNECTED' ? 'terminate' : 'gate');
    }
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
    const relayLeg = this.sideOf(sessionId, legId);
    if (!m || !relayLeg) return false;
    const bytes = Buffer.from(body, 'utf8');
    const messageId = `pf${Math.random().toString(36).slice(2, 12)}`;
    const tid = m.h.sendRequest(relayLeg, { method: 'SEND', messageId, contentType, body: bytes, byteRange: { start: 1, end: bytes.length, total: bytes.length }, failureReport: 'yes', continuation: '$' });
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

  private sideOfRelayLeg(m: Media, relayLeg: string): Side {
    return m.h.side(relayLeg) === 'net' ? 'net' : 'client';
  }

  private context(sessionId: string, relayLeg: string) {
    const rt = this.rt;
    const m = this.media.get(sessionId);
    const s = rt?.session(sessionId);
    const legId = m?.legs.get(relayLeg);
    return rt && m && s && legId ? { rt, m, s, legId, relayLeg, side: this.sideOfRelayLeg(m, relayLeg) } : undefined;
  }

  /** gate mode: a one-chunk message waits for what the engine says (IMDN-TX from a device, IMDN-RX from the network). */
  private onDecide(sessionId: string, relayLeg: string, id: string, msg: WholeMessage): void {
    const c = this.context(sessionId, relayLeg);
    // the session value is stored just after its answers were sent: a message that early is relayed
    if (!c) return this.media.get(sessionId)?.h.decide(relayLeg, id, 'relay');
    const { contentType, body } = textOf(msg);
    const item = interceptedItem(contentType, body);
    if (c.side === 'client' && item.kind === 'IMDN') {
      // IMDN-TX (SPEC §9): MSRP_RESP answers the held SEND, MSRP_RELAY lets it go on
      const held = this.holdFor(c, relayLeg, id);
      void c.rt.clientImdn(sessionId, c.legId, contentType, body, held.txn, held.relay);
      return;
    }
    if (c.side === 'net' && item.kind === 'IMDN') {
      // IMDN-RX (SPEC §7, D-166): a duplicate is answered 200 and stops here, the rest goes on
      const held = this.holdFor(c, relayLeg, id);
      void c.rt.networkImdn(sessionId, contentType, body, held.txn, held.relay);
      return;
    }
    this.noteWhole(c, item, msg);
    c.m.h.decide(relayLeg, id, 'relay');
  }

  /**
   * A held SEND as a runtime transaction: MSRP_RESP answers it by code; `relay` lets it go on and
   * forgets the transaction (its answer then comes from the far end).
   */
  private holdFor(c: NonNullable<ReturnType<MsrpCarrier['context']>>, relayLeg: string, id: string): { txn: string; relay: () => void } {
    const res = verdict((code) => c.m.h.decide(relayLeg, id, { code }));
    const txn = c.rt.hold(res);
    return {
      txn,
      relay: () => {
        // the SEND goes on: its answer comes from the far end, so the held transaction is only forgotten
        c.rt.deps.runner.release(res);
        c.m.h.decide(relayLeg, id, 'relay');
      },
    };
  }

  private onWhole(sessionId: string, relayLeg: string, msg: WholeMessage, relayed: boolean): void {
    const c = this.context(sessionId, relayLeg);
    if (!c) return;
    const { contentType, body } = textOf(msg);
    const item = interceptedItem(contentType, body);
    if (!relayed && c.side === 'net') {
      // terminate mode: the PF stands in for the disconnected user (BYE-4-R-ii) and answered 200
      const txn = c.rt.hold(verdict(() => undefined));
      void c.rt.bye(sessionId, { kind: 'MSRP_SEND_RECEIVED', legId: c.legId, chunk: txn, item });
      return;
    }
    this.noteWhole(c, item, msg);
  }

  /** What IMDN handling learns of a relayed message. */
  private noteWhole(c: NonNullable<ReturnType<MsrpCarrier['context']>>, item: InterceptedItem, msg: WholeMessage): void {
    const fromServedSide = c.side === 'client';
    void c.rt.noteChatItem(c.s.id, fromServedSide, item);
    if (item.kind === 'CHAT') void c.rt.recordHistory(c.s.id, item, fromServedSide ? 'sent' : 'received');
    if (fromServedSide || item.kind !== 'CHAT' || !item.messageId) return;
    c.rt.noteReceivedChat(c.s, item, c.legId);
    const messageId = item.messageId;
    // each device's answer to the first chunk says it took the message: IMDN-GEN-2 once per device
    this.onDeviceAnswers(`${c.s.id}|${c.relayLeg}|${msg.messageId}`, (deviceLeg, code) => {
      if (code < 200 || code >= 300) return;
      c.rt.receivedChatAccepted(c.s.servedUser, messageId);
      const legId = c.m.legs.get(deviceLeg);
      const client = c.rt.session(c.s.id)?.legs.find((l) => l.id === legId);
      if (client) void c.rt.chatDelivered(c.s, client, item.contentType, item.body, false, c.m.caps.get(deviceLeg)).catch(() => undefined);
    });
  }

  private onDeviceAnswers(key: string, f: (relayLeg: string, code: number) => void): void {
    for (const [leg, code] of this.early.get(key) ?? []) f(leg, code);
    this.early.delete(key);
    this.awaiting.set(key, f);
    setTimeout(() => this.awaiting.delete(key), 30_000).unref();
  }

  /**
   * A leg's MSRP connection went away without the PF releasing it. After the grace, if nothing
   * (a BYE's release, a new connection) has changed the leg, the engine decides (D-165).
   */
  private onLost(sessionId: string, relayLeg: string, reason: string): void {
    this.log.info(`MSRP session ${sessionId}: ${relayLeg} connection lost (${reason})`);
    const m = this.media.get(sessionId);
    const legId = m?.legs.get(relayLeg);
    if (!m || !legId) return;
    setTimeout(() => this.guard(() => {
      if (this.media.get(sessionId) !== m || m.h.state(relayLeg) !== 'down' || !this.rt) return;
      this.rt.bye(sessionId, { kind: 'MEDIA_CONNECTION_LOST', legId, reason }).catch((err: Error) => this.log.error(`MSRP session ${sessionId}: ${err.message}`));
    }), this.lossGraceMs).unref();
  }

  /**
   * A file the network sent to the served user failed in MSRP on every device (IMDN-GEN-4,
   * D-167): the failed delivery notification goes to the original sender as a SIP MESSAGE,
   * outside the session, when its CPIM envelope asked for negative-delivery (the engine decides).
   */
  private onFailed(sessionId: string, f: { leg: string; messageId?: string; code: number; head?: Buffer }): void {
    const m = this.media.get(sessionId);
    const rt = this.rt;
    const s = rt?.session(sessionId);
    if (!m || !rt || !s || m.service !== 'filetransfer' || m.h.side(f.leg) !== 'net' || !f.head || !f.messageId || m.failed.has(f.messageId)) return;
    const cpim = parseCpim(f.head.toString('latin1'));
    if (!cpim.ok) return this.log.info(`MSRP session ${sessionId}: file ${f.messageId} failed (${f.code}); no CPIM envelope to report it with`);
    m.failed.add(f.messageId);
    const now = rt.deps.now();
    const r = rt.deps.state.engine.call('generateImdn', {
      servedUser: s.servedUser,
      original: { kind: 'FT', cpim: cpim.value, conversationId: s.conversationId, contributionId: s.contributionId },
      event: { kind: 'FT_MSRP_ERROR' },
      newMessageId: randomUUID(),
      policy: rt.deps.state.policy,
      now,
      cache: rt.deps.state.txCache,
    });
    rt.deps.record(r.decisions.map((d) => ({ ...d, servedUser: d.servedUser ?? s.servedUser, sessionId: d.sessionId ?? s.id })), { now });
    void rt.deps.runner.run(r.effects, { servedUser: s.servedUser, sourceKey: `gen|${randomUUID()}` });
  }

  /** A device's answer to a message relayed from the network (one per device, D-164). */
  private onOutcome(sessionId: string, o: { leg: string; originLeg: string; messageId?: string; firstChunk: boolean; code: number }): void {
    const m = this.media.get(sessionId);
    if (!m || !o.firstChunk || !o.messageId || this.sideOfRelayLeg(m, o.originLeg) !== 'net') return;
    const key = `${sessionId}|${o.originLeg}|${o.messageId}`;
    const f = this.awaiting.get(key);
    if (f) return f(o.leg, o.code);
    const list = this.early.get(key) ?? [];
    list.push([o.leg, o.code]);
    this.early.set(key, list);
    if (this.early.size > REMEMBERED_RESPONSES) this.early.delete(this.early.keys().next().value as string);
  }

  private onTrace(t: MsrpTrace): void {
    if (!t.sessionId || !t.leg) return;
    const legId = this.media.get(t.sessionId)?.legs.get(t.leg);
    if (legId) this.rt?.trace.msrp(legId, t);
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

/** A device's accept-types from its MSRP SDP (client relay legs only: the network side's do not matter here). */
function noteCaps(m: Media, leg: string, media: MsrpMedia): void {
  if (m.h.side(leg) !== 'client') return;
  const list = (v?: string) => (v ?? '').split(/\s+/).filter(Boolean);
  m.caps.set(leg, { acceptTypes: list(media.acceptTypes), acceptWrappedTypes: list(media.acceptWrappedTypes) });
}

function textOf(msg: WholeMessage): { contentType: string; body: string } {
  return { contentType: msg.contentType ?? 'text/plain', body: msg.body.toString('utf8') };
}

