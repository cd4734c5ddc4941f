// The shell around the session procedures: one engine step at a time per session (BYE, PIN,
// intercept, re-join), then its effects carried out in order by the PF's one interpreter
// (EffectRunner); the effects that address legs come back here (SessionEffects), because only
// this shell holds the legs' srf dialogs.
import { parseCpim } from '../../engine/parse/cpim';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Decision } from '../../engine/decision';
import type { Effect, Headers } from '../../engine/effects';
import type { InterceptedItem } from '../../engine/bye/inputs';
import type { CpmSession, DispositionRequest, Leg, UserPrefs } from '../../engine/model';
import { SipTrace } from './sip-trace';
import { parseImdnBody } from '../../engine/parse/imdn';
import type { ByeInput } from '../../engine/bye/inputs';
import { parsePinTimerName } from '../../engine/participants/pin';
import type { Logger } from '../../log';
import type { Db } from '../../store/database';
import type { EffectStore } from '../effect-store';
import type { PfState } from '../pf-state';
import type { DecisionSink } from '../record-decisions';
import type { SrfResponseOut } from '../srf-types';
import type { Carried, EffectRunner, SessionEffects, SessionTimerRef } from '../effect-runner';
import { loadUserPrefs } from '../../store/user-prefs';
import { gsoParticipantsOf, recordSession } from './history-store';
import { SessionWriter, type SessionRowsThread } from '../../store/session-writer';
import { userIdOf } from '../../store/users';
import type { SrfDialog } from './srf-dialog';
import { untilAcked } from './uas-ack';
import type { MsrpCarrier } from './msrp-carrier';

export interface StepResult {
  session?: CpmSession;
  effects: Effect[];
  decisions: Decision[];
}

export interface SessionRuntimeDeps {
  db: Db;
  /** PF_INSTANCE: written on each session so that the next start of this PF can close it */
  instance?: string;
  store: EffectStore;
  state: PfState;
  record: DecisionSink;
  log: Logger;
  now: () => number;
  bus?: EventEmitter;
  /** carries out SUBSCRIBE_CONF (conf-subscriber.ts) */
  subscribeConf?: (sessionId: string, e: Extract<Effect, { kind: 'SUBSCRIBE_CONF' }>) => void;
  /** the User-Agent a served user's client registered with, by its contact (IMDN-GEN-2-UA) */
  userAgentOf?: (aor: string, contact: string) => string | undefined;
  /** the PF's one effect interpreter; this shell carries out the leg-addressed effects for it */
  runner: EffectRunner;
  /** the MSRP media plane of sessions whose offer had a=path (D-163) */
  msrp?: MsrpCarrier;
  /** served users' preferences from the PF's cache (D-307); without it, read at every step */
  userPrefs?: (aor: string) => Promise<UserPrefs>;
  /** SQLite: the writer thread that writes sessions' rows off this thread (D-310) */
  sessionRows?: SessionRowsThread;
}

/** Headers the PF may set on in-dialog requests; the edge owns the dialog headers. */
const IN_DIALOG_HEADERS = new Set(['reason', 'content-type', 'subscription-state', 'event', 'expires', 'accept']);
const REQUEST_TIMEOUT_MS = 8000;
const RELEASED_KEPT_MS = 32_000;

export class SessionRuntime implements SessionEffects {
  readonly dialogs = new Map<string, SrfDialog>(); // legId → dialog
  readonly legSession = new Map<string, string>(); // legId → sessionId
  /** per leg: the Reason header of the BYE that ended it, as received or sent */
  readonly legMeta = new Map<string, { releaseReason?: string }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly userIds = new Map<string, string>();
  /** per session: how many steps ran, so each step's deferred items get their own keys */
  private readonly stepSeq = new Map<string, number>();
  /** per session: messageId → the leg a chat message the user received came in on */
  private readonly chatOrigin = new Map<string, Map<string, string>>();
  readonly store: EffectStore;
  closed = false;

  /** sessions are written behind their steps, coalesced (D-306); the console hears of a change once it is written */
  private readonly writer: SessionWriter;

  constructor(readonly deps: SessionRuntimeDeps) {
    this.store = deps.store;
    deps.runner.attachSessions(this);
    this.writer = new SessionWriter(deps.db, {
      thread: deps.sessionRows,
      onWritten: (s) => {
        this.deps.bus?.emit('session:updated', { sessionId: s.id });
        for (const l of s.legs) this.deps.bus?.emit('leg:updated', { sessionId: s.id, legId: l.id });
      },
      onError: (e, ids) => this.deps.log.error(`sessions ${ids.join(', ')} not written: ${(e as Error)?.message ?? e}`),
    });
  }

  session(id: string): CpmSession | undefined {
    return this.deps.state.sessions.get(id);
  }

  sessionOfLeg(legId: string): CpmSession | undefined {
    const id = this.legSession.get(legId);
    return id === undefined ? undefined : this.session(id);
  }

  sessionsOf(servedUser: string): CpmSession[] {
    return this.deps.state.sessions.ofUser(servedUser);
  }

  /**
   * The user's sessions that are not RELEASED: what an invitation can join or rejoin. A released
   * session stays here 32 s for late requests; given to each INVITE, it made every recorded
   * INVITE carry all the sessions its user had just ended (105 KB a line in the session bench, D-311).
   */
  openSessionsOf(servedUser: string): CpmSession[] {
    return this.sessionsOf(servedUser).filter((s) => s.mode !== 'RELEASED');
  }

  /** per served user: sessions the shell is setting up, not yet in state (D-293) */
  private readonly settingUp = new Map<string, Set<Promise<void>>>();

  /**
   * Runs `setUp`: the part of a session's set-up from answering the client to putting the session
   * in state (srf's createUAS resolves after the 200 has gone out); settled() waits for it.
   */
  async settingUpFor(servedUser: string, setUp: () => Promise<void>): Promise<void> {
    const pending = this.settingUp.get(servedUser) ?? new Set<Promise<void>>();
    this.settingUp.set(servedUser, pending);
    const p = setUp();
    pending.add(p);
    try {
      await p;
    } finally {
      pending.delete(p);
      if (pending.size === 0 && this.settingUp.get(servedUser) === pending) this.settingUp.delete(servedUser);
    }
  }

  /** Resolves once the sessions of `servedUser` being set up are in state (or `maxMs` passed). */
  async settled(servedUser: string, maxMs: number): Promise<void> {
    const pending = this.settingUp.get(servedUser);
    if (!pending || pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    await Promise.race([Promise.allSettled([...pending]), late]);
    clearTimeout(timer);
  }

  async userId(aor: string): Promise<string> {
    let id = this.userIds.get(aor);
    if (id === undefined) {
      const found = await userIdOf(this.deps.db, aor);
      if (!found) throw new Error(`${aor} is not a served user`);
      id = found;
      this.userIds.set(aor, id);
    }
    return id;
  }

  async prefs(aor: string): Promise<UserPrefs> {
    if (this.deps.userPrefs) return this.deps.userPrefs(aor);
    return loadUserPrefs(this.deps.db, await this.userId(aor));
  }

  /** Holds a server transaction; SEND_RESP / MSRP_RESP effects answer it by this id. */
  hold(res: SrfResponseOut): string {
    const txn = randomUUID();
    this.deps.runner.hold(txn, res);
    return txn;
  }

  addLeg(sessionId: string, legId: string, dialog: SrfDialog): void {
    this.dialogs.set(legId, dialog);
    this.legSession.set(legId, sessionId);
  }

  /** The ladder of SIP messages per leg, for the console. */
  get trace(): SipTrace {
    this.tracer ??= new SipTrace(this.deps.bus, (legId) => {
      const s = this.sessionOfLeg(legId);
      const leg = s?.legs.find((l) => l.id === legId);
      return s && leg ? { sessionId: s.id, peer: leg.kind } : undefined;
    });
    return this.tracer;
  }

  private tracer?: SipTrace;

  /** Runs `fn` after every earlier step of the same session has finished. */
  enqueue(sessionId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(sessionId) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: Error) => this.deps.log.error(`session ${sessionId}: ${err.stack ?? err.message}`));
    this.queues.set(sessionId, next);
    return next;
  }

  /** Replaces a session value outside the engine (a device joining the fork, a re-INVITE join). */
  put(s: CpmSession, decisions: Decision[] = []): Promise<void> {
    return this.keep(s, decisions, false);
  }

  /**
   * A session this process has just set up, under a fresh id: its first write needs no read of
   * rows that cannot exist (D-308).
   */
  create(s: CpmSession, decisions: Decision[] = []): Promise<void> {
    if (this.deps.state.sessions.has(s.id)) return Promise.reject(new Error(`session ${s.id} exists already`));
    return this.keep(s, decisions, true);
  }

  private async keep(s: CpmSession, decisions: Decision[], created: boolean): Promise<void> {
    this.deps.state.sessions.set(s.id, s);
    this.trace.flush();
    this.recordDecisions(s, decisions);
    await this.persist(s, created);
  }

  /** One BYE-procedure step (SPEC §5) on the session, effects carried out before the next step. */
  bye(sessionId: string, input: ByeInput): Promise<void> {
    return this.step(sessionId, async (s) => {
      const prefs = await this.prefs(s.servedUser);
      return this.deps.state.engine.call('handleBye', { session: s, input, prefs, policy: this.deps.state.policy, now: this.deps.now(), random: Math.random() });
    });
  }

  step(sessionId: string, fn: (s: CpmSession) => Promise<StepResult> | StepResult): Promise<void> {
    return this.enqueue(sessionId, async () => {
      const s = this.session(sessionId);
      if (!s) return;
      const r = await fn(s);
      const next = r.session ?? s;
      this.deps.state.sessions.set(sessionId, next);
      this.recordDecisions(next, r.decisions);
      await this.run(next, r.effects);
      const after = this.session(sessionId) ?? next;
      await this.persist(after);
      if (after.mode === 'RELEASED') {
        this.deps.msrp?.close(after.id);
        this.forgetLater(after);
      }
    });
  }

  /**
   * A released session stays in memory for 64*T1, long enough for late answers to the BYEs it
   * sent (BYE-1b-iii) to be decided; then only its database rows remain.
   */
  private forgetLater(s: CpmSession): void {
    const key = `${s.id}|forget`;
    if (this.timers.has(key)) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.deps.state.sessions.delete(s.id);
      this.writer.forget(s.id);
      this.queues.delete(s.id);
      this.stepSeq.delete(s.id);
      // by session: ending one no longer scans every chat message of every session
      this.chatOrigin.delete(s.id);
      for (const l of s.legs) {
        this.dialogs.delete(l.id);
        this.legSession.delete(l.id);
        this.legMeta.delete(l.id);
      }
    }, RELEASED_KEPT_MS);
    t.unref();
    this.timers.set(key, t);
  }

  private recordDecisions(s: CpmSession, decisions: Decision[]): void {
    if (decisions.length === 0) return;
    const callId = s.legs[0]?.dialog.callId;
    this.deps.record(
      decisions.map((d) => ({ ...d, servedUser: d.servedUser ?? s.servedUser, sessionId: d.sessionId ?? s.id, callId: d.callId ?? callId })),
      { callId, now: this.deps.now() },
    );
  }

  /** Hands the session's new value to the writer: the step does not wait for the database (D-306). */
  private async persist(s: CpmSession, created = false): Promise<void> {
    const releaseReasons: Record<string, string> = {};
    for (const l of s.legs) {
      const reason = this.legMeta.get(l.id)?.releaseReason;
      if (reason !== undefined) releaseReasons[l.id] = reason;
    }
    this.writer.write(await this.userId(s.servedUser), s, { now: new Date(this.deps.now()), releaseReasons, instance: this.deps.instance }, created);
  }

  /** Resolves once every session value handed over so far is in the database. */
  written(): Promise<void> {
    return this.writer.settled();
  }

  /**
   * Carries out a step's effects through the PF's one interpreter; leg-addressed effects come back
   * here (SessionEffects). `carried`: the message a step decides about (an IMDN a client sent).
   */
  private async run(s: CpmSession, effects: Effect[], carried?: Carried): Promise<void> {
    const step = (this.stepSeq.get(s.id) ?? 0) + 1;
    this.stepSeq.set(s.id, step);
    await this.deps.runner.run(effects, { servedUser: s.servedUser, sourceKey: `session:${s.id}@${step}`, session: { id: s.id, carried } });
  }

  // SessionEffects: what the interpreter hands back to the shell that holds the dialogs.
  sendOnLeg(sessionId: string, e: Extract<Effect, { kind: 'SEND_REQ' }>): void {
    this.sendRequest(sessionId, e);
  }

  releaseMedia(sessionId: string, legs: string[] | 'ALL'): void {
    this.deps.msrp?.release(sessionId, legs);
  }

  setMode(sessionId: string, mode: 'ACTIVE' | 'REMAIN_DISCONNECTED' | 'RELEASED'): void {
    this.deps.msrp?.mode(sessionId, mode);
  }

  /** MSRP_RELAY lets a SEND held by the MSRP relay go on; its answer comes back end to end. */
  relay(sessionId: string, e: Extract<Effect, { kind: 'MSRP_RELAY' }>, carried: Carried | undefined): void {
    if (!carried?.relay) {
      this.deps.log.warn(`session ${sessionId}: MSRP_RELAY toward ${e.toLeg} without a held SEND to let go`);
      return;
    }
    carried.relay();
  }

  async recordSession(sessionId: string): Promise<void> {
    const s = this.session(sessionId);
    if (s) await recordSession(this.deps.db, await this.userId(s.servedUser), s, this.deps.now());
  }

  subscribeConf(sessionId: string, e: Extract<Effect, { kind: 'SUBSCRIBE_CONF' }>): void {
    if (this.deps.subscribeConf) this.deps.subscribeConf(sessionId, e);
    else this.deps.log.warn(`session ${sessionId}: SUBSCRIBE_CONF without a subscriber`);
  }

  gsoParticipants(sessionId: string): unknown {
    const s = this.session(sessionId);
    return s ? gsoParticipantsOf(s) : undefined;
  }

  timerFired(t: SessionTimerRef): void {
    if (this.closed) return;
    if (parsePinTimerName(t.name)) {
      void this.step(t.sessionId, (s) => this.deps.state.engine.call('onPinTimer', { session: s, timer: t.name, policy: this.deps.state.policy, now: this.deps.now() }));
    } else void this.bye(t.sessionId, { kind: 'TIMER_FIRED', name: t.name });
  }

  isHeld(txn: string): boolean {
    return this.deps.runner.isHeld(txn);
  }

  /**
   * Records an engine answer outside a session step (the session may be gone) and carries out its
   * effects through the one interpreter.
   */
  async answer(s: CpmSession | undefined, r: { effects: Effect[]; decisions: Decision[] }): Promise<void> {
    if (s) this.recordDecisions(s, r.decisions);
    else if (r.decisions.length > 0) this.deps.record(r.decisions, { callId: r.decisions[0].callId, now: this.deps.now() });
    if (r.effects.length > 0) await this.deps.runner.run(r.effects, { servedUser: s?.servedUser ?? r.decisions[0]?.servedUser ?? '', sourceKey: `answer|${randomUUID()}` });
  }

  respond(txn: string, code: number, reason: string, headers?: Headers): void {
    this.deps.runner.respond(txn, code, reason, headers);
  }

  private sendRequest(sessionId: string, e: Extract<Effect, { kind: 'SEND_REQ' }>): void {
    const dialog = this.dialogs.get(e.leg);
    if (e.method === 'ACK') return; // srf ACKs a 2xx to the PF's re-INVITE itself
    if (this.stopping && e.method === 'BYE') {
      // STOP-1: awaited by the stop, never fed back (the session is over whatever the answer)
      this.stopping.answers.push(this.byeAndWait(e.leg, String(e.headers.Reason ?? ''), this.stopping.waitMs));
      return;
    }
    if (!dialog) {
      this.deps.log.warn(`session ${sessionId}: no dialog for leg ${e.leg}; ${e.method} treated as 481`);
      void this.bye(sessionId, { kind: 'RESPONSE_RECEIVED', legId: e.leg, method: e.method, status: 481 });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers)) if (IN_DIALOG_HEADERS.has(k.toLowerCase())) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const reason = headers.Reason;
    if (e.method === 'SEND' && this.deps.msrp?.sideOf(sessionId, e.leg)) {
      // a deferred item for a returning client whose media is anchored goes over its MSRP (D-163)
      const contentType = String(e.headers['Content-Type'] ?? 'message/cpim');
      this.deps.msrp.send(sessionId, e.leg, contentType, e.body ?? '', (status) => {
        const s = this.session(sessionId);
        const leg = s?.legs.find((l) => l.id === e.leg);
        if (status >= 200 && status < 300 && s && leg) void this.chatDelivered(s, leg, contentType, e.body ?? '', true).catch(() => undefined);
      });
      return;
    }
    if (e.method === 'BYE') this.legMeta.set(e.leg, { ...this.legMeta.get(e.leg), releaseReason: reason ?? this.legMeta.get(e.leg)?.releaseReason });
    // a client that re-joined without an MSRP stream (an offer without a=path) gets a deferred
    // item as an in-dialog MESSAGE: the only use of that carrier left (D-266), so nothing is lost
    const method = e.method === 'SEND' ? 'MESSAGE' : e.method;
    if (method === 'MESSAGE' && !headers['Content-Type']) headers['Content-Type'] = String(e.headers['Content-Type'] ?? 'message/cpim');
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (method === 'MESSAGE') {
        // a deferred chat message handed to a returning client (BYE-4-R-iii-2) that it accepted:
        // IMDN-GEN-2 judges that client as for any other delivery (a deferred one, GEN-2-def)
        const s = this.session(sessionId);
        const leg = s?.legs.find((l) => l.id === e.leg);
        if (e.method === 'SEND' && status >= 200 && status < 300 && s && leg) {
          void this.chatDelivered(s, leg, String(e.headers['Content-Type'] ?? 'message/cpim'), e.body ?? '', true).catch(() => undefined);
        }
        return;
      }
      void this.bye(sessionId, { kind: 'RESPONSE_RECEIVED', legId: e.leg, method: e.method, status });
    };
    const send = () => {
      timer = setTimeout(() => finish(408), REQUEST_TIMEOUT_MS).unref();
      this.trace.request(e.leg, 'out', method, dialog.remote.uri, dialog.sip.callId, method, reason);
      dialog.request({ method, headers, body: e.body }, (err, res) => {
        if (err || !res) return finish(481);
        if (res.status >= 200) {
          this.trace.response(e.leg, 'in', method, res.status, res.reason ?? '', dialog.sip.callId, method);
          finish(res.status); // srf calls back for provisional responses too
        }
      });
    };
    // RFC 3261 §15: not before the ACK of the PF's 200 on this leg (D-286)
    const acked = untilAcked(dialog);
    if (acked) void acked.then(send);
    else send();
  }

  /** A chat message from the far side is being relayed to the user's clients (IMDN-TX's index). */
  noteReceivedChat(s: CpmSession, item: InterceptedItem, fromLeg: string): void {
    if (!item.messageId) return;
    let origins = this.chatOrigin.get(s.id);
    if (!origins) this.chatOrigin.set(s.id, (origins = new Map()));
    origins.set(item.messageId, fromLeg);
    const index = this.deps.state.receivedIndex(s.servedUser);
    const known = index.get(item.messageId);
    index.set(item.messageId, { ...known, kind: 'CHAT', sessionId: s.id, deliveredEndpoints: known?.deliveredEndpoints ?? 0, requested: (item.dispositionNotification ?? []) as DispositionRequest[] });
  }

  /** One more of the user's clients accepted that chat message (IMDN-TX-2: several endpoints). */
  receivedChatAccepted(servedUser: string, messageId: string): void {
    const index = this.deps.state.receivedIndex(servedUser);
    const e = index.get(messageId);
    if (e) index.set(messageId, { ...e, deliveredEndpoints: (e.deliveredEndpoints ?? 0) + 1 });
  }

  /**
   * IMDN-TX (SPEC §9) with the in-session carrier: a notification one of the served user's clients
   * sent in the session. The engine decides whether it is relayed (duplicates across devices are
   * dropped) and whether a read report marks the stored copy \Seen; `txn` holds the MESSAGE.
   */
  clientImdn(sessionId: string, legId: string, contentType: string, body: string, txn: string, relay?: () => void): Promise<void> {
    return this.enqueue(sessionId, async () => {
      const s = this.session(sessionId);
      if (!s) return this.respond(txn, 481, 'Call/Transaction Does Not Exist');
      const index = this.deps.state.receivedIndex(s.servedUser);
      const parsed = parseImdnBody(contentType, body);
      const first = parsed.ok ? parsed.value.parts[0] : undefined;
      const messageId = first?.ok ? first.imdn.messageId : undefined;
      // the store reference may predate this process: looked up before the pure call
      if (messageId && !index.get(messageId)?.storeRef) {
        const storeRef = await this.store.objectOfMessage(s.servedUser, messageId);
        if (storeRef) index.set(messageId, { kind: 'CHAT', sessionId, requested: [], ...index.get(messageId), storeRef });
      }
      const peerLeg =
        (messageId ? this.chatOrigin.get(sessionId)?.get(messageId) : undefined) ??
        s.legs.find((l) => l.state === 'CONNECTED' && l.id !== legId && l.kind !== 'CLIENT' && l.iwfSide !== 'SERVED')?.id;
      if (peerLeg === undefined) return this.answer(s, this.deps.state.engine.call('imdnNoFarLeg', { session: s, legId, itemKind: 'IMDN', txn, ...(messageId !== undefined ? { messageId } : {}) }));
      const r = this.deps.state.engine.call('sendImdn', {
        servedUser: s.servedUser,
        carrier: { kind: 'MSRP', chunk: txn, contentType, body, peerLeg, sessionId },
        cache: this.deps.state.txCache,
        messageIndex: (id) => index.get(id),
        session: (id) => this.deps.state.sessions.get(id),
        policy: this.deps.state.policy,
        now: this.deps.now(),
      });
      this.recordDecisions(s, r.decisions);
      await this.run(s, r.effects, { txn, contentType, body, relay });
    });
  }

  /**
   * IMDN-RX (SPEC §7) with the MSRP carrier (D-166): a notification from the far side about a
   * chat message the served user sent in the session. Duplicates (the recipient's several devices)
   * are answered 200 and stop here; the rest goes on to the user's clients (`relay`).
   */
  networkImdn(sessionId: string, contentType: string, body: string, txn: string, relay: () => void): Promise<void> {
    return this.enqueue(sessionId, async () => {
      const s = this.session(sessionId);
      if (!s) return this.respond(txn, 481, 'Call/Transaction Does Not Exist');
      const r = this.deps.state.engine.call('receiveImdn', {
        servedUser: s.servedUser,
        message: { method: 'SEND', headers: { 'content-type': [contentType] }, body },
        cache: this.deps.state.rxCache,
        messageIndex: (id) => this.deps.state.sentIndex(s.servedUser).get(id),
        session: (id) => this.deps.state.sessions.get(id),
        policy: this.deps.state.policy,
        now: this.deps.now(),
        txn,
      });
      this.recordDecisions(s, r.decisions.map((d) => ({ ...d, sessionId: d.sessionId ?? sessionId })));
      await this.run(s, r.effects);
      if (r.forward.length > 0) relay();
    });
  }

  /** Session history (D-168): a chat message relayed over MSRP, recorded when the user allows it. */
  recordHistory(sessionId: string, item: InterceptedItem, direction: 'sent' | 'received'): Promise<void> {
    return this.enqueue(sessionId, async () => {
      const s = this.session(sessionId);
      if (!s) return;
      const r = this.deps.state.engine.call('recordChat', { session: s, prefs: await this.prefs(s.servedUser), item, direction, now: this.deps.now() });
      this.recordDecisions(s, r.decisions);
      await this.run(s, r.effects);
    });
  }

  /**
   * What IMDN handling needs to know of a session's traffic (AMB-9, AMB-11): the served user's own
   * chat messages (the MessageIndex IMDN-RX consults), and who sent isComposing in the session.
   */
  noteChatItem(sessionId: string, fromServedClient: boolean, item: InterceptedItem): Promise<void> {
    return this.enqueue(sessionId, async () => {
      const s = this.session(sessionId);
      if (!s) return;
      if (fromServedClient && item.kind === 'CHAT' && item.messageId) {
        this.deps.state.sentIndex(s.servedUser).set(item.messageId, { kind: 'CHAT', sessionId, requested: (item.dispositionNotification ?? []) as DispositionRequest[] });
      } else if (item.kind === 'IS_COMPOSING') {
        // §12.6: whose isComposing it is, an engine decision (a 1-1 peer's when unwrapped)
        const r = this.deps.state.engine.call('noteIsComposing', { session: s, fromServedSide: fromServedClient, cpimFrom: item.from });
        this.deps.state.sessions.set(sessionId, r.session);
        this.recordDecisions(r.session, r.decisions);
      }
    });
  }

  /**
   * A chat message from the network side was accepted by one of the served user's clients. A
   * client that sends no IMDNs for chat messages (IMDN-GEN-2) gets a delivery notification
   * generated on its behalf, when the sender asked for positive-delivery.
   */
  async chatDelivered(s: CpmSession, client: Leg, contentType: string, body: string, deferred = false, sdp?: { acceptTypes: string[]; acceptWrappedTypes: string[] }): Promise<void> {
    if (!/^message\/cpim/i.test(contentType)) return;
    const cpim = parseCpim(body);
    if (!cpim.ok || /imdn\+xml|im-iscomposing/i.test(cpim.value.contentType ?? '')) return;
    const userAgent = client.device ? this.deps.userAgentOf?.(s.servedUser, client.device) : undefined;
    const now = this.deps.now();
    const r = this.deps.state.engine.call('generateImdn', {
      servedUser: s.servedUser,
      original: { kind: 'CHAT', cpim: cpim.value, conversationId: s.conversationId, contributionId: s.contributionId },
      // sdp: what the device's MSRP SDP accepts (IMDN-GEN-2-SDP), when its media is anchored
      event: { kind: 'DELIVERED', client: { userAgent, ...(sdp ? { sdp } : {}) }, deferred },
      newMessageId: randomUUID(),
      policy: this.deps.state.policy,
      now,
      // read and written in this same synchronous stretch (the runner applies CACHE_PUT first),
      // so a second client accepting the same message sees the first report (D-123)
      cache: this.deps.state.txCache,
      // one set of aggregation windows for every generated report; the pager service flushes them
      buffers: this.deps.state.genBuffers,
    });
    this.deps.state.genBuffers = r.buffers;
    this.deps.record(r.decisions.map((d) => ({ ...d, servedUser: d.servedUser ?? s.servedUser, sessionId: d.sessionId ?? s.id })), { now });
    await this.deps.runner.run(r.effects, { servedUser: s.servedUser, sourceKey: `gen|${randomUUID()}` });
  }

  /**
   * Graceful stop (DECISIONS D-109): each session not yet RELEASED takes the engine's STOP-1 step
   * (a BYE on each CONNECTED leg, the session released). Resolves when each BYE is answered or
   * after `waitMs`. The answers are not fed back to the engine: the session is over whatever they say.
   */
  async releaseAll(waitMs: number): Promise<number> {
    const live = [...this.deps.state.sessions.values()].filter((s) => s.mode !== 'RELEASED');
    const answers: Promise<void>[] = [];
    this.stopping = { waitMs, answers };
    const steps = live.map((s) => this.step(s.id, (cur) => this.deps.state.engine.call('releaseOnStop', { session: cur })));
    await Promise.race([Promise.all(steps).then(() => Promise.all(answers)), new Promise((r) => setTimeout(r, waitMs + 500).unref())]);
    // what the stop released is in the database before the PF closes it
    await this.writer.settled();
    return live.length;
  }

  /** set by releaseAll: BYEs of the stop are awaited (up to waitMs), not fed to the BYE procedure */
  private stopping?: { waitMs: number; answers: Promise<void>[] };

  private byeAndWait(legId: string, reason: string, waitMs: number): Promise<void> {
    const dialog = this.dialogs.get(legId);
    if (!dialog) return Promise.resolve();
    this.legMeta.set(legId, { ...this.legMeta.get(legId), releaseReason: this.legMeta.get(legId)?.releaseReason ?? reason });
    this.trace.request(legId, 'out', 'BYE', dialog.remote.uri, dialog.sip.callId, 'BYE', reason);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs).unref();
      dialog.request({ method: 'BYE', headers: { Reason: reason } }, (err, res) => {
        if (res && res.status < 200) return;
        if (res) this.trace.response(legId, 'in', 'BYE', res.status, res.reason ?? '', dialog.sip.callId, 'BYE');
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
