// Carries out engine effects in order. Store effects are awaited before the next effect, so a
// 202 that follows a DEFER leaves only once the item is committed ("nothing accepted is lost").
import type { Effect } from '../engine/effects';
import type { CoreRoute } from './core-router';
import { sendRequest } from './forward';
import type { StorageGuard } from './storage-unavailable';
import type { Logger } from '../log';
import type { EffectStore } from './effect-store';
import { DeferredQueueFull } from '../store/deferred-queue';
import type { PfState } from './pf-state';
import type { SrfApp, SrfResponseOut } from './srf-types';

/**
 * How long a request the PF sends on a client's behalf may take (D-115). The client gave up on its
 * own request after Timer F (64·T1 = 32 s); the PF waits less, so that the client still hears the
 * outcome: a dead contact is counted unavailable and the message deferred (202) in time.
 */
export const RELAY_TIMEOUT_MS = 20_000;

export interface RunContext {
  servedUser: string;
  /** identifies the request being handled: deferred items get `${sourceKey}#${n}` */
  sourceKey: string;
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
  srf: SrfApp;
  state: PfState;
  store: EffectStore;
  guard: StorageGuard;
  log: Logger;
  now: () => number;
  /** called with the final response (or timeout) of each SEND_REQ */
  onRequestOutcome: (o: RequestOutcome) => void;
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

  respond(txn: string, code: number, reason: string): void {
    const res = this.responders.get(txn);
    this.responders.delete(txn);
    if (res && !res.finished) res.send(code, reason);
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
          const key = `${ctx.sourceKey}#${deferred++}`;
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
          await this.deps.guard.run(() => this.deps.store.recordObject(ctx.servedUser, e.folder, e.object));
          break;
        case 'SET_FLAG':
          await this.deps.guard.run(() => this.deps.store.setFlag(e.objectRef, e.flag));
          break;
        case 'SEND_RESP':
          this.respond(e.txn, e.code, e.reason);
          break;
        case 'SEND_REQ':
          if (e.leg === 'core') this.sendToCore(e);
          else this.sendRequest(e);
          break;
        case 'FWD_REQ':
          if (ctx.forward) this.forward(ctx.forward, e.toLeg);
          break;
        case 'START_TIMER': {
          clearTimeout(this.timers.get(e.name));
          const t = setTimeout(() => {
            this.timers.delete(e.name);
            this.deps.onTimer(e.name);
          }, e.ms);
          this.timers.set(e.name, t);
          break;
        }
        case 'CANCEL_TIMER':
          clearTimeout(this.timers.get(e.name));
          this.timers.delete(e.name);
          break;
        case 'DROP':
          break;
        default:
          this.deps.log.warn(`effect ${e.kind} is not carried out by this shell yet`);
      }
    }
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
        : sendRequest(this.deps.srf, f.request.uri, { ...f.request, proxy: toLeg }, timeout);
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
    this.deps.srf.request(e.uri ?? e.leg, { method: e.method, headers, body: e.body }, (err, req) => {
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

function flatten(h: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
