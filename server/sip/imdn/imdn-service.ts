// The shell around IMDN-RX and IMDN-DLV: it feeds SIP facts to the pure engine, carries out the
// effects, and keeps the per-delivery state the engine returns while client forks are outstanding.
import { randomUUID } from 'node:crypto';
import type { AggregationBuffers } from '../../engine/imdn/aggregate';
import { AGGREGATION_TIMER_PREFIX } from '../../engine/imdn/aggregate';
import type { ImdnDelivery } from '../../engine/imdn/deliver';
import { parseImdnBody } from '../../engine/parse/imdn';
import { bodyText } from '../../engine/parse/content-encoding';
import { storeImdnWanted, type OriginalLocator } from '../../engine/imdn/store-imdn';
import type { EngineResult } from '../../engine/result';
import { header, headerValues, type SipMessageView } from '../../engine/message';
import { aorOf } from '../addresses';
import { clientRegistration } from '../client-registration';
import { coreRouteInput, routedToCore } from '../core-route';
import type { EffectRunner, RequestOutcome } from '../effect-runner';
import { applyResult, ForkTracker, type DeliveryServiceDeps } from '../delivery-service';
import { drainQueue } from '../drain-queue';
import type { Binding } from '../registrar';
import type { SrfResponseOut } from '../srf-types';

const NO_ORIGINALS: OriginalLocator = { folderOfOriginal: () => undefined, conversationFolder: () => undefined };

export type ImdnServiceDeps = DeliveryServiceDeps;

interface Tracked {
  delivery: ImdnDelivery;
  /** set for the redelivery of a deferred item: its queue id */
  deferredId?: string;
  /** resolves when the delivery settles (redelivery paces itself on it) */
  done?: () => void;
}

const PREFIX = 'imdn:';
/** Queued notifications in flight toward one client at a time when it registers. */
const REDELIVERY_WINDOW = 32;

export class ImdnService {
  private runner!: EffectRunner;
  private buffers: AggregationBuffers = {};
  private readonly tracker = new ForkTracker<Tracked>();

  constructor(private readonly deps: ImdnServiceDeps) {}

  attach(runner: EffectRunner): void {
    this.runner = runner;
  }

  /** Leg ids and timers this service started. */
  owns(legOrTimer: string): boolean {
    return legOrTimer.startsWith(PREFIX) || legOrTimer.startsWith(AGGREGATION_TIMER_PREFIX);
  }

  /** DSP-1a / DSP-1c: a MESSAGE carrying IMDN(s) for a served user. */
  async terminating(view: SipMessageView, servedUser: string, res: SrfResponseOut): Promise<void> {
    const now = this.deps.now();
    const callId = header(view, 'call-id') ?? randomUUID();
    const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
    this.runner.hold(txn, res);
    const ctx = { servedUser, sourceKey: txn };
    // Remember which messages were notifications: a report on one is a loop (LOOP-2).
    for (const m of bodyText(view).matchAll(/^imdn\.Message-ID:\s*(\S+)/gim)) this.deps.state.loops.notedDelivered(servedUser, m[1]);

    const rx = this.deps.state.engine.call('receiveImdn', {
      servedUser,
      message: view,
      cache: this.deps.state.rxCache,
      messageIndex: (id) => this.deps.state.sentIndex(servedUser).get(id),
      session: (id) => this.deps.state.sessions.get(id),
      policy: this.deps.state.policy,
      now,
      txn,
    });
    await this.apply(rx, ctx, callId);
    if (rx.forward.length === 0) return;

    const prefs = await this.deps.prefs.get(servedUser);
    const dlv = this.deps.state.engine.call('deliverImdn', {
      deliveryId: `${PREFIX}${randomUUID()}`,
      servedUser,
      txn,
      message: view,
      parts: rx.forward,
      registrations: this.deps.registrar.contacts(servedUser, now).map(clientRegistration),
      prefs,
      policy: this.deps.state.policy,
      now,
      buffers: this.buffers,
    });
    this.buffers = dlv.buffers;
    for (const d of [...(dlv.delivery ? [dlv.delivery] : []), ...dlv.flushed]) this.track({ delivery: d });
    await this.apply(dlv, ctx, callId);
  }

  /**
   * IMDN-TX: one of the served user's clients sends a notification about a message it received.
   * It goes on toward the original sender (deduplicated when the message reached several
   * endpoints) and a display notification sets \Seen on the stored message.
   */
  async originating(view: SipMessageView, servedUser: string, res: SrfResponseOut): Promise<void> {
    const now = this.deps.now();
    const callId = header(view, 'call-id') ?? randomUUID();
    const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
    this.runner.hold(txn, res);
    const index = this.deps.state.receivedIndex(servedUser);
    // The store reference may predate this process: look it up before the pure call.
    const parsed = parseImdnBody(header(view, 'content-type') ?? '', bodyText(view));
    const first = parsed.ok ? parsed.value.parts[0] : undefined;
    const messageId = first?.ok ? first.imdn.messageId : undefined;
    if (messageId) {
      const loop = this.deps.state.loops.check(servedUser, aorOf(view.uri ?? '') ?? view.uri ?? '', messageId, now);
      if (!loop.allow) {
        this.deps.record(loop.decisions.map((d) => ({ ...d, callId })), { callId, now });
        this.runner.respond(txn, 200, 'OK');
        return;
      }
    }
    if (messageId && !index.get(messageId)?.storeRef) {
      const storeRef = await this.deps.store.objectOfMessage(servedUser, messageId);
      if (storeRef) index.set(messageId, { kind: 'STANDALONE', deliveredEndpoints: 1, requested: [], ...index.get(messageId), storeRef });
    }
    // The last await before the engine: from here to the effects nothing yields (the TX cache).
    const route = await coreRouteInput(this.deps.route, { servedUser, target: view.uri ?? '', callId, txn });
    const r = this.deps.state.engine.call('sendImdn', {
      servedUser,
      carrier: { kind: 'SIP', message: view, txn, coreLeg: 'core' },
      cache: this.deps.state.txCache,
      messageIndex: (id) => index.get(id),
      session: (id) => this.deps.state.sessions.get(id),
      policy: this.deps.state.policy,
      now,
    });
    const headers: Record<string, string> = {};
    for (const name of ['From', 'To', 'Content-Type', 'Content-Encoding', 'Conversation-ID', 'Contribution-ID', 'P-Asserted-Service', 'Accept-Contact']) {
      const v = header(view, name);
      if (v !== undefined) headers[name] = name === 'From' ? v.replace(/;tag=[^;]*/i, '') : v;
    }
    // Toward the core: forwarded, or answered at once when there is no route (CORE, D-113).
    const routed = routedToCore(route, r.effects, (i) => this.deps.state.engine.call('routeToCore', i));
    this.deps.record(
      [...r.decisions, ...routed.decisions].map((d) => ({ ...d, servedUser: d.servedUser ?? servedUser, callId: d.callId ?? callId })),
      { callId, now },
    );
    await this.runner.run(routed.effects, {
      servedUser,
      sourceKey: txn,
      forward: { txn, request: { method: 'MESSAGE', uri: view.uri ?? '', headers, body: view.body } },
    });
  }

  /**
   * A client registered: send it the notifications deferred for its user (IMDN-DLV-2, DLV-2c),
   * oldest first, at most REDELIVERY_WINDOW in flight.
   */
  async redeliver(binding: Binding): Promise<void> {
    await drainQueue(this.deps.store, binding.aor, this.deps.now, 'IMDN', async (page) => {
      for (let i = 0; i < page.length; i += REDELIVERY_WINDOW) {
        const window = page.slice(i, i + REDELIVERY_WINDOW);
        const base = `${PREFIX}${randomUUID()}`;
        const r = this.deps.state.engine.call('deliverDeferredImdns', { deliveryId: base, servedUser: binding.aor, items: window.map((p) => p.item), registration: clientRegistration(binding), policy: this.deps.state.policy });
        const settled = r.deliveries.map(
          (d) =>
            new Promise<void>((done) => {
              const n = Number(d.id.slice(base.length + 1));
              this.track({ delivery: d, deferredId: window[n]?.id, done });
            }),
        );
        await this.apply(r, { servedUser: binding.aor, sourceKey: base });
        await Promise.all(settled);
      }
    });
  }

  async onRequestOutcome(o: RequestOutcome): Promise<void> {
    const tracked = this.tracker.byFork(o.leg);
    if (!tracked) return;
    const id = tracked.delivery.id;
    const servedUser = tracked.delivery.servedUser;
    const prefs = await this.deps.prefs.get(servedUser);
    // the Message Store lookups serve IMDN-DLV-4 only: none when the notification is not stored
    const locator = storeImdnWanted(prefs, this.deps.state.policy).store ? await this.locator(tracked.delivery) : NO_ORIGINALS;
    const r = this.deps.state.engine.call('imdnForkOutcome', {
      delivery: tracked.delivery,
      forkId: o.leg,
      code: o.code,
      timedOut: o.timedOut,
      prefs,
      policy: this.deps.state.policy,
      locator,
      now: this.deps.now(),
    });
    const success = o.code !== undefined && o.code >= 200 && o.code < 300;
    if (tracked.deferredId) {
      // A redelivered item stays queued until a client takes it; never queue it a second time.
      r.effects = r.effects.filter((e) => e.kind !== 'DEFER');
      if (success) await this.deps.store.markDelivered(tracked.deferredId, this.deps.now());
    }
    tracked.delivery = r.delivery;
    await this.apply(r, { servedUser, sourceKey: id });
    if (r.delivery.settled) {
      this.untrack(r.delivery);
      tracked.done?.();
    }
  }

  async onTimer(name: string): Promise<void> {
    const f = this.deps.state.engine.call('flushImdnAggregate', { buffers: this.buffers, timer: name, deliveryId: `${PREFIX}${randomUUID()}` });
    this.buffers = f.buffers;
    if (f.delivery) this.track({ delivery: f.delivery });
    await this.apply(f, { servedUser: f.delivery?.servedUser ?? '', sourceKey: name });
  }

  private track(t: Tracked): void {
    this.tracker.track(t);
  }

  private untrack(d: ImdnDelivery): void {
    this.tracker.untrack(d);
  }

  /** The store lookups IMDN-DLV-4 needs, fetched before the pure call (the engine cannot await). */
  private async locator(d: ImdnDelivery): Promise<OriginalLocator> {
    const folders = new Map<string, string | undefined>();
    const conversations = new Map<string, string | undefined>();
    for (const { part, sipHeaders } of d.parts) {
      const id = part.imdn?.messageId;
      if (id && !folders.has(id)) folders.set(id, await this.deps.store.folderOfMessage(d.servedUser, id));
      const conv = sipHeaders['Conversation-ID'];
      const c = Array.isArray(conv) ? conv[0] : conv;
      if (c && !conversations.has(c)) conversations.set(c, await this.deps.store.conversationFolder(d.servedUser, c));
    }
    return { folderOfOriginal: (id) => folders.get(id), conversationFolder: (c) => conversations.get(c) };
  }

  private apply(r: EngineResult, ctx: { servedUser: string; sourceKey: string }, callId?: string): Promise<void> {
    return applyResult(this.deps, this.runner, r, { ...ctx, callId });
  }
}

export function viewHasImdn(view: SipMessageView): boolean {
  return headerValues(view, 'content-type').some((t) => /^(message\/cpim|multipart\/mixed)/i.test(t)) && /message\/imdn\+xml/i.test(bodyText(view));
}
