// The one interpreter of engine effects (issue 14): every kind of the engine's closed Effect
// union has its case here, and the default is a compile-time `never` check, so an effect that no
// shell carries out does not compile. Effects are carried out in order; store effects are awaited
// before the next one, so a 202 that follows a DEFER leaves only once the item is committed
// ("nothing accepted is lost"). Effects that address a session's legs (dialogs, MSRP, the
// session's own timers) go to the session shell through `SessionEffects`; everything else
// (responses, caches, the store, requests toward the core or a contact) is carried out here.
import type { DeferredItem, Effect, Headers, TimerRef } from '../engine/effects';
import type { CoreRoute } from './core-router';
import { sendRequest } from './forward';
import type { StorageGuard } from './storage-unavailable';
import type { Logger } from '../log';
import type { EffectStore } from './effect-store';
import { DeferredQueueFull } from '../store/deferred-queue';
import type { PfState } from './pf-state';
import type { RequestSender, SrfResponseOut } from './srf-types';

type Of<K extends Effect['kind']> = Extract<Effect, { kind: K }>;
export type SessionTimerRef = Extract<TimerRef, { scope: 'SESSION' }>;

/** The message a session step decides about (an IMDN a client sent), which MSRP_RELAY passes on. */
export interface Carried {
  txn: string;
  contentType: string;
  body: string;
  /** a SEND held by the MSRP relay: letting it go is the relay */
  relay?: () => void;
}

/** What only the session shell can do: it holds the legs' dialogs and the MSRP relay. */
export interface SessionEffects {
  sendOnLeg(sessionId: string, e: Of<'SEND_REQ'>): void;
  releaseMedia(sessionId: string, legs: string[] | 'ALL'): void;
  setMode(sessionId: string, mode: Of<'SET_MODE'>['mode']): void;
  relay(sessionId: string, e: Of<'MSRP_RELAY'>, carried: Carried | undefined): void;
  recordSession(sessionId: string): Promise<void>;
  subscribeConf(sessionId: string, e: Of<'SUBSCRIBE_CONF'>): void;
  /** the participants a Group State Object is stored with */
  gsoParticipants(sessionId: string): unknown;
  timerFired(t: SessionTimerRef): void;
}

/**
 * How long a request the PF sends on a client's behalf may take (D-115). The client gave up on its
 * own request after Timer F (64·T1 = 32 s); the PF waits less, so that the client still hears the
 * outcome: a dead contact is counted unavailable and the message deferred (202) in time.
 */
export const RELAY_TIMEOUT_MS = 20_000;

export interface RunContext {
  servedUser: string;
  /** identifies the request or session step being handled: deferred items get `${sourceKey}#${n}` */
  sourceKey: string;
  /** a session step: its leg-addressed effects go to the session shell */
  session?: { id: string; carried?: Carried };
  /** FWD_REQ: the request to pass on, and the server transaction its final response answers */
  forward?: { txn: string; request: { method: string; uri: string; headers: Record<string, string>; body?: string } };
}

export interface RequestOutcome {
  leg: string;
  code?: number;
  timedOut?: boolean;
  userAgent?: string;
}

export interface EffectRunnerDeps {
  /** sends requests outside a dialog: srf, or the MESSAGE link in front of it (D-341) */
  requests: RequestSender;
  state: PfState;
  store: EffectStore;
  guard: StorageGuard;
  log: Logger;
  now: () => number;
  /** called with the final response (or timeout) of each SEND_REQ */
  onRequestOutcome: (o: RequestOutcome) => void;
  /** a PF timer fired (IMDN aggregation, pager); session timers go back to the session shell */
  onTimer: (name: string) => void;
  /** requests toward the SIP/IP core (leg 'core') and forwarded requests */
  core: CoreRoute;
  requestTimeoutMs?: number;
}

export class EffectRunner {
  private readonly responders = new Map<string, SrfResponseOut>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: EffectRunnerDeps) {}

  /** The server transaction `txn` is answered through this response object. */
  hold(txn: string, res: SrfResponseOut): void {
    this.responders.set(txn, res);
  }

  /** Forgets a held transaction that was answered outside the effects (an error path). */
  release(res: SrfResponseOut): void {
    for (const [txn, held] of this.responders) if (held === res) this.responders.delete(txn);
  }

  /** The transaction `txn` is held and not answered yet. */
  isHeld(txn: string): boolean {
    return this.responders.has(txn);
  }

  /**
   * Answers a held transaction. Of the engine's response headers only those the transaction layer
   * does not write itself are sent (Allow of a 405, D-266); Via, From, To, Call-ID and CSeq are
   * srf's.
   */
  respond(txn: string, code: number, reason: string, headers?: Headers): void {
    const res = this.responders.get(txn);
    this.responders.delete(txn);
    if (!res || res.finished) return;
    const extra = answerHeaders(headers);
    if (extra) res.send(code, reason, { headers: extra });
    else res.send(code, reason);
  }

  private sessions?: SessionEffects;

  /** The session shell carries out the effects that address legs. */
  attachSessions(sessions: SessionEffects): void {
    this.sessions = sessions;
  }

  async run(effects: Effect[], ctx: RunContext): Promise<void> {
    let deferred = 0;
    for (const e of effects) {
      switch (e.kind) {
        case 'CACHE_PUT':
          // The TTL in force now, so an entry the engine saw as expired is replaced, not extended.
          (e.cache === 'RX' ? this.deps.state.rxCache : this.deps.state.txCache).apply(e, this.deps.now(), this.deps.state.policy.imdnCacheTtlSec);
          break;
        case 'DEFER': {
          const key = deferKey(e.item, ctx, deferred++);
          if (ctx.session) {
            // an item intercepted in a session was answered already (its MSRP 200 comes first):
            // there is no answer left to turn into 480, so the queue quota (D-134) does not apply
            await this.deps.store.defer(e.item, key, this.deps.now());
            break;
          }
          try {
            await this.deps.guard.run(() => this.deps.store.defer(e.item, key, this.deps.now(), { quota: true }));
          } catch (err) {
            if (!(err instanceof DeferredQueueFull)) throw err;
            // D-134: the answer this step would have given (202) becomes 480; nothing else of it runs
            const answer = effects.find((x) => x.kind === 'SEND_RESP');
            if (answer?.kind === 'SEND_RESP') this.respond(answer.txn, 480, 'Deferred Queue Full');
            this.queueFullLog(e.item.servedUser, err.limit);
            return;
          }
          break;
        }
        case 'RECORD_OBJECT':
        case 'STORE_GSO': {
          const folderId = await this.deps.store.folderId(ctx.servedUser, e.folder);
          if (folderId === undefined) break; // not a served user (any more): nothing to store for
          const object = e.kind === 'RECORD_OBJECT' ? e.object : (e.object ?? { kind: 'GSO' as const, contentType: 'Application/group-state-object+xml', headers: {}, body: e.body });
          const participants = e.kind === 'STORE_GSO' && ctx.session ? this.sessions?.gsoParticipants(ctx.session.id) : undefined;
          const write = () => this.deps.store.recordObject(ctx.servedUser, folderId, object, participants);
          await (ctx.session ? write() : this.deps.guard.run(write));
          break;
        }
        case 'SET_FLAG':
          await (ctx.session ? this.deps.store.setFlag(e.objectRef, e.flag) : this.deps.guard.run(() => this.deps.store.setFlag(e.objectRef, e.flag)));
          break;
        case 'SEND_RESP':
          this.respond(e.txn, e.code, e.reason, e.headers);
          break;
        case 'MSRP_RESP':
          // the held SEND over MSRP (D-163)
          this.respond(e.chunk, e.code, e.code === 200 ? 'OK' : 'Error');
          break;
        case 'SEND_REQ':
          if (ctx.session) this.session(e, ctx)?.shell.sendOnLeg(ctx.session.id, e);
          else if (e.leg === 'core') this.sendToCore(e);
          else this.sendRequest(e);
          break;
        case 'FWD_REQ':
          if (ctx.forward) this.forward(ctx.forward, e.toLeg);
          else this.deps.log.error(`FWD_REQ toward ${e.toLeg} without a request to pass on`);
          break;
        case 'FWD_RESP':
          // BYE-P: only a PF acting as a SIP proxy relays responses; the SIP shell is a B2BUA only
          // (D-144), so no proxied transaction is ever pending here
          this.deps.log.error(`FWD_RESP toward ${e.toLeg}: the PF is not deployed as a proxy (D-144)`);
          break;
        case 'RELEASE_MEDIA':
        case 'STOP_MEDIA': {
          // the legs' MSRP connections close; a leg without anchored media only changes state (D-266)
          const at = this.session(e, ctx);
          at?.shell.releaseMedia(at.id, e.legs);
          break;
        }
        case 'SET_MODE':
          this.session(e, ctx)?.shell.setMode(e.sessionId, e.mode);
          break;
        case 'MSRP_RELAY': {
          const at = this.session(e, ctx);
          at?.shell.relay(at.id, e, ctx.session?.carried);
          break;
        }
        case 'RECORD_SESSION':
          await this.session(e, ctx)?.shell.recordSession(e.sessionId);
          break;
        case 'SUBSCRIBE_CONF':
          this.session(e, ctx)?.shell.subscribeConf(e.sessionId, e);
          break;
        case 'START_TIMER':
          this.startTimer(e.timer, e.ms);
          break;
        case 'CANCEL_TIMER':
          clearTimeout(this.timers.get(timerKey(e.timer)));
          this.timers.delete(timerKey(e.timer));
          break;
        case 'DISPATCH':
          // DSP's verdict: the caller routes the request by dispatch()'s handler; nothing to carry out
          break;
        case 'DROP':
          break;
        default: {
          const unhandled: never = e;
          throw new Error(`effect ${(unhandled as Effect).kind} has no interpreter`);
        }
      }
    }
  }

  /** The session shell, for an effect that only a session step can carry out. */
  private session(e: Effect, ctx: RunContext): { shell: SessionEffects; id: string } | undefined {
    if (ctx.session && this.sessions) return { shell: this.sessions, id: ctx.session.id };
    this.deps.log.error(`effect ${e.kind} outside a session step (${ctx.sourceKey}) is not carried out`);
    return undefined;
  }

  private startTimer(ref: TimerRef, ms: number): void {
    const key = timerKey(ref);
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      this.timers.delete(key);
      if (ref.scope === 'SESSION') this.sessions?.timerFired(ref);
      else this.deps.onTimer(ref.name);
    }, ms);
    this.timers.set(key, t);
  }

  private lastQueueFullLog = 0;
  private queueFullSince = 0;
  /** one line per 10 s at most: a flood against one user must not flood the log */
  private queueFullLog(user: string, limit: number): void {
    this.queueFullSince++;
    const now = Date.now();
    if (now - this.lastQueueFullLog < 10_000) return;
    this.deps.log.warn(`deferred queue of ${user} is full (${limit} items): answered 480 (${this.queueFullSince} refusals since the last line)`);
    this.lastQueueFullLog = now;
    this.queueFullSince = 0;
  }

  private sendToCore(e: Extract<Effect, { kind: 'SEND_REQ' }>): void {
    void this.deps
      .core({ method: e.method, uri: e.uri ?? '', headers: flatten(e.headers), body: e.body }, this.deps.requestTimeoutMs ?? RELAY_TIMEOUT_MS)
      .then((o) => this.deps.onRequestOutcome({ leg: e.leg, code: o.status, timedOut: o.status === 408 && o.reason === 'Request Timeout' }));
  }

  /**
   * Passes a request on, toward the core or a named next hop (DSP-8 PROXY), and answers the
   * original transaction with its final response.
   */
  private forward(f: NonNullable<RunContext['forward']>, toLeg: string): void {
    const timeout = this.deps.requestTimeoutMs ?? RELAY_TIMEOUT_MS;
    const sent =
      toLeg === 'core'
        ? this.deps.core(f.request, timeout)
        : sendRequest(this.deps.requests, f.request.uri, { ...f.request, proxy: toLeg }, timeout);
    void sent.then((o) => this.respond(f.txn, o.status, o.reason || 'Forwarded'));
  }

  private sendRequest(e: Extract<Effect, { kind: 'SEND_REQ' }>): void {
    const headers = flatten(e.headers);
    let done = false;
    const finish = (o: Omit<RequestOutcome, 'leg'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.deps.onRequestOutcome({ leg: e.leg, ...o });
    };
    // A request's deadline must not keep a stopped PF's process alive.
    const timer = setTimeout(() => finish({ timedOut: true }), this.deps.requestTimeoutMs ?? RELAY_TIMEOUT_MS).unref();
    this.deps.requests.request(e.uri ?? e.leg, { method: e.method, headers, body: e.body }, (err, req) => {
      if (err) return finish({ code: 503 });
      req.on('response', (res) => {
        if (res.status >= 200) finish({ code: res.status, userAgent: res.get('User-Agent') ?? res.get('Server') });
      });
    });
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

function timerKey(t: TimerRef): string {
  return t.scope === 'SESSION' ? `session|${t.sessionId}|${t.name}` : `pf|${t.name}`;
}

function flatten(h: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * The deferred queue's idempotency key (D-261). A request's items are keyed by its transaction, so
 * a retransmission queues nothing twice. An item a session intercepts is keyed by the session, its
 * kind and its IMDN Message-ID: the far side may send the same message again in a new transaction
 * (a SEND or in-dialog MESSAGE sent anew after a lost answer), and a per-step key would queue it
 * twice. An item without a Message-ID cannot be told from a second message with the same text, so
 * it keeps the step's own key (as D-210 does for the Message Store).
 */
export function deferKey(item: DeferredItem, ctx: { sourceKey: string; session?: { id: string } }, n: number): string {
  if (ctx.session && item.messageId) return `session:${ctx.session.id}|${item.kind}|${item.messageId}`;
  return `${ctx.sourceKey}#${n}`;
}

/** Response headers the PF adds to srf's own (D-266). */
const ANSWER_HEADERS = new Set(['allow']);

function answerHeaders(h: Headers | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (ANSWER_HEADERS.has(k.toLowerCase())) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return Object.keys(out).length > 0 ? out : undefined;
}
