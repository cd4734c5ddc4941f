// The shell around the session procedures: one engine step at a time per session (BYE, PIN,
// intercept, re-join), then its effects carried out in order on the session's srf dialogs, the
// database and the live stream. Session effects run here rather than in EffectRunner because
// they address legs (dialogs), which only this shell knows.
import { parseCpim } from '../../engine/parse/cpim';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Decision } from '../../engine/decision';
import type { Effect } from '../../engine/effects';
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
import { loadUserPrefs } from '../../store/user-prefs';
import { gsoParticipantsOf, recordSession, sessionFolder, storeObject } from './history-store';
import { upsertSession } from '../../store/sessions';
import type { SrfDialog } from './srf-dialog';
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
  /** carries out effects outside any leg (a generated IMDN toward the core, the IMDN-TX cache) */
  runEffects?: (effects: Effect[], ctx: { servedUser: string; sourceKey: string }) => Promise<void>;
  /** the MSRP media plane of sessions whose offer had a=path (D-163) */
  msrp?: MsrpCarrier;
}

/** Headers the PF may set on in-dialog requests; the edge owns the dialog headers. */
const IN_DIALOG_HEADERS = new Set(['reason', 'content-type', 'subscription-state', 'event', 'expires', 'accept']);
const REQUEST_TIMEOUT_MS = 8000;
const RELAY_TIMEOUT_MS = 5000;
const RELEASED_KEPT_MS = 32_000;

export class SessionRuntime {
  readonly dialogs = new Map<string, SrfDialog>(); // legId → dialog
  readonly legSession = new Map<string, string>(); // legId → sessionId
  /** per leg: the Reason header of the BYE that ended it, as received or sent */
  readonly legMeta = new Map<string, { releaseReason?: string }>();
  private readonly responders = new Map<string, SrfResponseOut>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly userIds = new Map<string, string>();
  private readonly deferSeq = new Map<string, number>();
  /** `${sessionId}|${messageId}` → the leg a chat message the user received came in on */
  private readonly chatOrigin = new Map<string, string>();
  readonly store: EffectStore;
  closed = false;

  constructor(readonly deps: SessionRuntimeDeps) {
    this.store = deps.store;
  }

  session(id: string): CpmSession | undefined {
    return this.deps.state.sessions.get(id);
  }

  sessionOfLeg(legId: string): CpmSession | undefined {
    const id = this.legSession.get(legId);
    return id === undefined ? undefined : this.session(id);
  }

  sessionsOf(servedUser: string): CpmSession[] {
    return [...this.deps.state.sessions.values()].filter((s) => s.servedUser === servedUser);
  }

  async userId(aor: string): Promise<string> {
    let id = this.userIds.get(aor);
    if (id === undefined) {
      const u = await this.deps.db.user.findUnique({ where: { aor }, select: { id: true } });
      if (!u) throw new Error(`${aor} is not a served user`);
      id = u.id;
      this.userIds.set(aor, id);
    }
    return id;
  }

  async prefs(aor: string): Promise<UserPrefs> {
    return loadUserPrefs(this.deps.db, await this.userId(aor));
  }

  /** Holds a server transaction; SEND_RESP / MSRP_RESP effects answer it by this id. */
  hold(res: SrfResponseOut): string {
    const txn = randomUUID();
    this.responders.set(txn, res);
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

  /** Creates or replaces a session value outside the engine (new invitation, re-INVITE join). */
  async put(s: CpmSession, decisions: Decision[] = []): Promise<void> {
    this.deps.state.sessions.set(s.id, s);
    this.trace.flush();
    this.recordDecisions(s, decisions);
    await this.persist(s);
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
      this.queues.delete(s.id);
      this.deferSeq.delete(s.id);
      for (const k of this.chatOrigin.keys()) if (k.startsWith(`${s.id}|`)) this.chatOrigin.delete(k);
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

  private async persist(s: CpmSession): Promise<void> {
    const releaseReasons: Record<string, string> = {};
    for (const l of s.legs) {
      const reason = this.legMeta.get(l.id)?.releaseReason;
      if (reason !== undefined) releaseReasons[l.id] = reason;
    }
    await upsertSession(this.deps.db, await this.userId(s.servedUser), s, { now: new Date(this.deps.now()), releaseReasons, instance: this.deps.instance });
    this.deps.bus?.emit('session:updated', { sessionId: s.id });
    for (const l of s.legs) this.deps.bus?.emit('leg:updated', { sessionId: s.id, legId: l.id });
  }

  /**
   * `carried`: the message a step decides about (an IMDN a client sent); MSRP_RELAY passes it on:
   * an in-dialog MESSAGE is relayed and answered with the far side's answer, a SEND held by the
   * MSRP relay is let go (`relay`).
   */
  private async run(s: CpmSession, effects: Effect[], carried?: { txn: string; contentType: string; body: string; relay?: () => void }): Promise<void> {
    const userId = await this.userId(s.servedUser);
    for (const e of effects) {
      switch (e.kind) {
        case 'SEND_RESP':
          this.respond(e.txn, e.code, e.reason);
          break;
        case 'MSRP_RESP':
          // the held SEND over MSRP, or the in-dialog MESSAGE that carries it (D-103, D-163)
          this.respond(e.chunk, e.code, e.code === 200 ? 'OK' : 'Error');
          break;
        case 'SEND_REQ':
          this.sendRequest(s.id, e);
          break;
        case 'STOP_MEDIA':
        case 'RELEASE_MEDIA':
          // the legs' MSRP connections close; a leg without anchored media only changes state (D-103)
          this.deps.msrp?.release(s.id, e.legs);
          break;
        case 'DROP':
          break;
        case 'SET_MODE':
          this.deps.msrp?.mode(s.id, e.mode);
          break;
        case 'MSRP_RELAY':
          if (!carried) {
            this.deps.log.warn(`session ${s.id}: MSRP_RELAY without a message to relay`);
            break;
          }
          if (carried.relay) {
            carried.relay();
            break;
          }
          // not awaited: the session's next step does not wait for the far side's answer
          void this.relayInDialog(e.toLeg, carried.contentType, carried.body).then((code) => this.respond(carried.txn, code, code >= 200 && code < 300 ? 'OK' : 'Error'));
          break;
        case 'SET_FLAG':
          await this.store.setFlag(e.objectRef, e.flag);
          break;
        case 'RECORD_SESSION':
          await recordSession(this.deps.db, userId, s, this.deps.now());
          break;
        case 'STORE_GSO': {
          const folderId = await sessionFolder(this.deps.db, userId, e.folder);
          const object = e.object ?? { kind: 'GSO' as const, contentType: 'Application/group-state-object+xml', headers: {}, body: e.body };
          await storeObject(this.deps.db, userId, folderId, object, gsoParticipantsOf(s));
          break;
        }
        case 'RECORD_OBJECT': {
          const folderId = await sessionFolder(this.deps.db, userId, e.folder);
          await storeObject(this.deps.db, userId, folderId, e.object);
          break;
        }
        case 'DEFER': {
          const n = (this.deferSeq.get(s.id) ?? 0) + 1;
          this.deferSeq.set(s.id, n);
          await this.store.defer(e.item, `session:${s.id}#${n}`, this.deps.now());
          break;
        }
        case 'CACHE_PUT':
          (e.cache === 'RX' ? this.deps.state.rxCache : this.deps.state.txCache).apply(e, this.deps.now());
          break;
        case 'SUBSCRIBE_CONF':
          if (this.deps.subscribeConf) this.deps.subscribeConf(s.id, e);
          else this.deps.log.warn(`session ${s.id}: SUBSCRIBE_CONF without a subscriber`);
          break;
        case 'START_TIMER':
          this.startTimer(s.id, e.name, e.ms);
          break;
        case 'CANCEL_TIMER':
          clearTimeout(this.timers.get(`${s.id}|${e.name}`));
          this.timers.delete(`${s.id}|${e.name}`);
          break;
        default:
          this.deps.log.warn(`session ${s.id}: effect ${e.kind} is not carried out by the session shell`);
      }
    }
  }

  respond(txn: string, code: number, reason: string): void {
    const res = this.responders.get(txn);
    this.responders.delete(txn);
    if (res && !res.finished) res.send(code, reason);
  }

  private startTimer(sessionId: string, name: string, ms: number): void {
    const key = `${sessionId}|${name}`;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (this.closed) return;
        if (parsePinTimerName(name)) {
          void this.step(sessionId, (s) => this.deps.state.engine.call('onPinTimer', { session: s, timer: name, policy: this.deps.state.policy, now: this.deps.now() }));
        } else void this.bye(sessionId, { kind: 'TIMER_FIRED', name });
      }, ms),
    );
  }

  private sendRequest(sessionId: string, e: Extract<Effect, { kind: 'SEND_REQ' }>): void {
    const dialog = this.dialogs.get(e.leg);
    if (e.method === 'ACK') return; // srf ACKs a 2xx to the PF's re-INVITE itself
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
    // the deferred item of a re-join travels as an in-dialog MESSAGE (D-103)
    const method = e.method === 'SEND' ? 'MESSAGE' : e.method;
    if (method === 'MESSAGE' && !headers['Content-Type']) headers['Content-Type'] = String(e.headers['Content-Type'] ?? 'message/cpim');
    let done = false;
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
    const timer = setTimeout(() => finish(408), REQUEST_TIMEOUT_MS).unref();
    this.trace.request(e.leg, 'out', method, dialog.remote.uri, dialog.sip.callId, method, reason);
    dialog.request({ method, headers, body: e.body }, (err, res) => {
      if (err || !res) return finish(481);
      if (res.status >= 200) {
        this.trace.response(e.leg, 'in', method, res.status, res.reason ?? '', dialog.sip.callId, method);
        finish(res.status); // srf calls back for provisional responses too
      }
    });
  }

  /** Sends a MESSAGE on a leg's dialog (the chat carrier, D-103); resolves with the final status. */
  relayInDialog(legId: string, contentType: string, body: string): Promise<number> {
    const d = this.dialogs.get(legId);
    if (!d) return Promise.resolve(481);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(408), RELAY_TIMEOUT_MS).unref();
      d.request({ method: 'MESSAGE', headers: { 'Content-Type': contentType }, body }, (err, r) => {
        if (err || !r) {
          clearTimeout(timer);
          return resolve(481);
        }
        if (r.status < 200) return;
        clearTimeout(timer);
        resolve(r.status);
      });
    });
  }

  /** A chat message from the far side is being relayed to the user's clients (IMDN-TX's index). */
  noteReceivedChat(s: CpmSession, item: InterceptedItem, fromLeg: string): void {
    if (!item.messageId) return;
    this.chatOrigin.set(`${s.id}|${item.messageId}`, fromLeg);
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
        (messageId ? this.chatOrigin.get(`${sessionId}|${messageId}`) : undefined) ??
        s.legs.find((l) => l.state === 'CONNECTED' && l.id !== legId && l.kind !== 'CLIENT' && l.iwfSide !== 'SERVED')?.id;
      if (peerLeg === undefined) return this.respond(txn, 480, 'Temporarily Unavailable');
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
  async chatDelivered(s: CpmSession, client: Leg, contentType: string, body: string, deferred = false): Promise<void> {
    if (!/^message\/cpim/i.test(contentType) || !this.deps.runEffects) return;
    const cpim = parseCpim(body);
    if (!cpim.ok || /imdn\+xml|im-iscomposing/i.test(cpim.value.contentType ?? '')) return;
    const userAgent = client.device ? this.deps.userAgentOf?.(s.servedUser, client.device) : undefined;
    const now = this.deps.now();
    const r = this.deps.state.engine.call('generateImdn', {
      servedUser: s.servedUser,
      original: { kind: 'CHAT', cpim: cpim.value, conversationId: s.conversationId, contributionId: s.contributionId },
      event: { kind: 'DELIVERED', client: { userAgent }, deferred },
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
    await this.deps.runEffects(r.effects, { servedUser: s.servedUser, sourceKey: `gen|${randomUUID()}` });
  }

  /**
   * Graceful stop (DECISIONS D-109): every session not yet RELEASED is released, with a BYE carrying
   * `reason` on each CONNECTED leg, so clients, the Controlling Function and remote PFs learn of it
   * at once instead of by their timers. Resolves when each BYE is answered or after `waitMs`.
   * The answers are not decided by the engine: the session is over whatever they say.
   */
  async releaseAll(reason: string, waitMs: number): Promise<number> {
    const live = [...this.deps.state.sessions.values()].filter((s) => s.mode !== 'RELEASED');
    const steps = live.map((s) =>
      this.enqueue(s.id, async () => {
        const cur = this.session(s.id);
        if (!cur || cur.mode === 'RELEASED') return;
        const connected = cur.legs.filter((l) => l.state === 'CONNECTED');
        const released: CpmSession = { ...cur, mode: 'RELEASED', legs: cur.legs.map((l) => (l.state === 'TERMINATED' ? l : { ...l, state: 'TERMINATED' })) };
        this.deps.state.sessions.set(cur.id, released);
        this.deps.msrp?.close(cur.id);
        await Promise.all(connected.map((l) => this.byeAndWait(l.id, reason, waitMs)));
        await this.persist(released);
      }),
    );
    await Promise.race([Promise.all(steps), new Promise((r) => setTimeout(r, waitMs + 500).unref())]);
    return live.length;
  }

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
