// What the IMDN and standalone-message services share: their dependencies, the bookkeeping of
// deliveries whose client forks are outstanding, and how an engine result is carried out.
import type { CoreRouteDeps } from './core-route';
import type { EngineResult } from '../engine/result';
import type { Logger } from '../log';
import type { EffectRunner } from './effect-runner';
import type { EffectStore } from './effect-store';
import type { PfState } from './pf-state';
import type { PrefsCache } from './prefs-cache';
import type { DecisionSink } from './record-decisions';
import type { Registrar } from './registrar';

export interface DeliveryServiceDeps {
  prefs: PrefsCache;
  state: PfState;
  registrar: Registrar;
  store: EffectStore;
  record: DecisionSink;
  userId: (aor: string) => string | undefined;
  log: Logger;
  now: () => number;
  /** where a client's request toward someone else goes (the CORE decision, D-113) */
  route: CoreRouteDeps;
}

interface Delivery {
  id: string;
  forks: Array<{ id: string }>;
}

/** Deliveries in progress, found again by the leg id of any of their forks. */
export class ForkTracker<T extends { delivery: Delivery }> {
  private readonly deliveries = new Map<string, T>();
  private readonly forkToDelivery = new Map<string, string>();

  track(t: T): void {
    this.deliveries.set(t.delivery.id, t);
    for (const f of t.delivery.forks) this.forkToDelivery.set(f.id, t.delivery.id);
  }

  byFork(forkId: string): T | undefined {
    const id = this.forkToDelivery.get(forkId);
    return id ? this.deliveries.get(id) : undefined;
  }

  untrack(d: Delivery): void {
    this.deliveries.delete(d.id);
    for (const f of d.forks) this.forkToDelivery.delete(f.id);
  }
}

/** Logs the result's decisions (attributed to the served user) and carries out its effects. */
export async function applyResult(
  deps: Pick<DeliveryServiceDeps, 'record' | 'now'>,
  runner: EffectRunner,
  r: EngineResult,
  ctx: { servedUser: string; sourceKey: string; callId?: string },
): Promise<void> {
  deps.record(
    r.decisions.map((d) => ({ ...d, servedUser: d.servedUser ?? (ctx.servedUser || undefined), callId: d.callId ?? ctx.callId })),
    { callId: ctx.callId, now: deps.now() },
  );
  await runner.run(r.effects, { servedUser: ctx.servedUser, sourceKey: ctx.sourceKey });
}
