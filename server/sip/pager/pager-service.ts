// The shell around the standalone-message contract (SPEC §11.1): delivery to the served user's
// clients or deferral, storage of delivered messages (8.5), and disposition notifications
// generated on the user's behalf when delivery fails or the client sends none (IMDN-GEN).
import { randomUUID } from 'node:crypto';
import type { DeferredItem } from '../../engine/effects';
import { expiredDeferredItem, GEN_TIMER_PREFIX, type GenEvent, type OriginalForGen } from '../../engine/imdn/generate';
import type { UserPrefs } from '../../engine/model';
import { receivedEntryAfterDelivery, type StandaloneDelivery } from '../../engine/pager/standalone';
import { parseCpim } from '../../engine/parse/cpim';
import type { SkipService } from '../../engine/policy';
import type { EngineResult } from '../../engine/result';
import { header, type SipMessageView } from '../../engine/message';
import { clientRegistration } from '../client-registration';
import type { EffectRunner, RequestOutcome } from '../effect-runner';
import { applyResult, ForkTracker, type DeliveryServiceDeps } from '../delivery-service';
import { drainQueue } from '../drain-queue';
import type { Binding } from '../registrar';
import type { SrfResponseOut } from '../srf-types';

export type PagerServiceDeps = DeliveryServiceDeps;

interface Tracked {
  delivery: StandaloneDelivery;
  prefs: UserPrefs;
  skip: SkipService[];
  /** set when this is the redelivery of a queued item: its queue id */
  deferredId?: string;
  /** resolves when the delivery settles (redelivery paces itself on it) */
  done?: () => void;
}

const PREFIX = 'pager:';
/** Queued messages in flight toward one client at a time when it registers. */
const REDELIVERY_WINDOW = 32;

export class PagerService {
  private runner!: EffectRunner;
  private readonly tracker = new ForkTracker<Tracked>();

  constructor(private readonly deps: PagerServiceDeps) {}

  attach(runner: EffectRunner): void {
    this.runner = runner;
  }

  /** Leg ids this service started, and the windows of generated reports (IMDN-GEN-6). */
  owns(legOrTimer: string): boolean {
    return legOrTimer.startsWith(PREFIX) || legOrTimer.startsWith(GEN_TIMER_PREFIX);
  }

  /** An aggregation window of generated reports ended: they leave in one request. */
  async onTimer(name: string): Promise<void> {
    const f = this.deps.state.engine.call('flushGeneratedImdns', { buffers: this.deps.state.genBuffers, timer: name });
    this.deps.state.genBuffers = f.buffers;
    await this.apply(f, f.decisions[0]?.servedUser ?? '', name);
  }

  /** DSP-1b: a standalone message for a served user. */
  async terminating(view: SipMessageView, servedUser: string, skip: SkipService[], res: SrfResponseOut): Promise<void> {
    const callId = header(view, 'call-id') ?? randomUUID();
    const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
    this.runner.hold(txn, res);
    const prefs = await this.prefs(servedUser);
    const r = this.deps.state.engine.call('deliverStandalone', {
      deliveryId: `${PREFIX}${randomUUID()}`,
      servedUser,
      txn,
      message: view,
      registrations: this.deps.registrar.contacts(servedUser, this.deps.now()).map(clientRegistration),
      prefs,
      skip,
      policy: this.deps.state.policy,
    });
    const t: Tracked = { delivery: r.delivery, prefs, skip };
    this.track(t);
    await this.apply(r, servedUser, txn, callId);
    if (r.delivery.settled) await this.settled(t, r.decisions.some((d) => d.outcome === 'REJECT'));
  }

  /**
   * A client registered: deferred standalone messages go to it (8.3.1.6), oldest first, at most
   * REDELIVERY_WINDOW in flight so a long queue does not flood the client.
   */
  async redeliver(binding: Binding): Promise<void> {
    const prefs = await this.prefs(binding.aor);
    await drainQueue(this.deps.store, binding.aor, this.deps.now, 'MESSAGE', async (page) => {
      for (let i = 0; i < page.length; i += REDELIVERY_WINDOW) {
        await Promise.all(page.slice(i, i + REDELIVERY_WINDOW).map((p) => this.redeliverOne(binding, p, prefs)));
      }
    });
  }

  private redeliverOne(binding: Binding, p: { id: string; item: { headers: Record<string, string | string[]>; body: string } }, prefs: UserPrefs): Promise<void> {
    return new Promise((resolve) => {
      const view: SipMessageView = {
        method: 'MESSAGE',
        uri: binding.aor,
        headers: Object.fromEntries(Object.entries(p.item.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]])),
        body: p.item.body,
      };
      const r = this.deps.state.engine.call('deliverStandalone', {
        deliveryId: `${PREFIX}${randomUUID()}`,
        servedUser: binding.aor,
        txn: `redeliver|${p.id}`,
        message: view,
        registrations: [clientRegistration(binding)],
        prefs,
        skip: [],
        policy: this.deps.state.policy,
      });
      // A queued item stays queued until a client takes it: no second DEFER and nobody to answer
      // (onRequestOutcome drops those effects for redeliveries).
      r.effects = r.effects.filter((e) => e.kind === 'SEND_REQ');
      this.track({ delivery: r.delivery, prefs, skip: [], deferredId: p.id, done: resolve });
      void this.apply(r, binding.aor, p.id);
    });
  }

  /**
   * Queued items that expired undelivered: a standalone message is IMDN-GEN-1, a chat message held
   * for a disconnected user IMDN-GEN-3 (negative delivery, if asked); the engine says which.
   */
  async expired(items: Array<{ item: DeferredItem }>): Promise<void> {
    for (const { item } of items) {
      const due = expiredDeferredItem(item);
      if (due) await this.generate(item.servedUser, due.original, due.event);
    }
  }

  async onRequestOutcome(o: RequestOutcome): Promise<void> {
    const t = this.tracker.byFork(o.leg);
    if (!t) return;
    const fork = t.delivery.forks.find((f) => f.id === o.leg);
    const r = this.deps.state.engine.call('standaloneForkOutcome', { delivery: t.delivery, forkId: o.leg, code: o.code, timedOut: o.timedOut, prefs: t.prefs, skip: t.skip });
    if (t.deferredId) r.effects = r.effects.filter((e) => e.kind !== 'DEFER' && e.kind !== 'SEND_RESP');
    t.delivery = r.delivery;
    await this.apply(r, t.delivery.servedUser, t.delivery.txn);
    if (r.deliveredTo) {
      // counted at once, before any await: the next device's notification may already be on its way
      const index = t.delivery.messageId ? this.deps.state.receivedIndex(t.delivery.servedUser) : undefined;
      if (index && t.delivery.messageId) index.set(t.delivery.messageId, receivedEntryAfterDelivery(index.get(t.delivery.messageId)));
      if (r.firstDelivery && t.deferredId) await this.deps.store.markDelivered(t.deferredId, this.deps.now());
      await this.delivered(t, o.userAgent ?? fork?.userAgent, r.firstDelivery === true);
    }
    if (r.delivery.settled) await this.settled(t, r.failed === true && !t.deferredId);
  }

  /** One client took the message: the first one's copy is stored (8.5); each is judged for IMDN-GEN-2. */
  private async delivered(t: Tracked, userAgent: string | undefined, first: boolean): Promise<void> {
    const d = t.delivery;
    // 8.5: the delivered message goes to the user's Message Store when the user or provider wants it.
    if (first && (t.prefs.allowStore || this.deps.state.policy.recordingEnabled) && !t.skip.includes('MESSAGE_STORE')) {
      const storeRef = await this.deps.store.recordMessage(d.servedUser, d, this.deps.now());
      const index = this.deps.state.receivedIndex(d.servedUser);
      const prev = d.messageId ? index.get(d.messageId) : undefined;
      if (d.messageId && prev) index.set(d.messageId, { ...prev, storeRef: storeRef ?? prev.storeRef });
    }
    const original = this.original(d);
    if (original) await this.generate(d.servedUser, original, { kind: 'DELIVERED', client: { userAgent }, deferred: !!t.deferredId });
  }

  private async settled(t: Tracked, failed: boolean): Promise<void> {
    this.untrack(t.delivery);
    t.done?.();
    if (!failed) return;
    // IMDN-GEN-1: delivery failed and the message was not deferred.
    const original = this.original(t.delivery);
    if (original) await this.generate(t.delivery.servedUser, original, { kind: 'DELIVERY_FAILED' });
  }

  private async generate(servedUser: string, original: OriginalForGen, event: GenEvent): Promise<void> {
    const r = this.deps.state.engine.call('generateImdn', { servedUser, original, event, newMessageId: randomUUID(), policy: this.deps.state.policy, now: this.deps.now(), buffers: this.deps.state.genBuffers, cache: this.deps.state.txCache });
    this.deps.state.genBuffers = r.buffers;
    await this.apply(r, servedUser, `gen|${randomUUID()}`);
  }

  private original(d: Pick<StandaloneDelivery, 'contentType' | 'body' | 'headers'>): OriginalForGen | undefined {
    if (!/^message\/cpim/i.test(d.contentType)) return undefined;
    const cpim = parseCpim(d.body);
    if (!cpim.ok) return undefined;
    const first = (name: string) => {
      const v = d.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return { kind: 'STANDALONE', cpim: cpim.value, conversationId: first('Conversation-ID'), contributionId: first('Contribution-ID') };
  }

  private prefs(aor: string): Promise<UserPrefs> {
    return this.deps.prefs.get(aor);
  }

  private track(t: Tracked): void {
    this.tracker.track(t);
  }

  private untrack(d: StandaloneDelivery): void {
    this.tracker.untrack(d);
  }

  private apply(r: EngineResult, servedUser: string, sourceKey: string, callId?: string): Promise<void> {
    return applyResult(this.deps, this.runner, r, { servedUser, sourceKey, callId });
  }
}
