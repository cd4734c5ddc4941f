// The inputs of the engine's CORE decision (D-113) for a request a served user's client sends
// toward someone: is the target one of ours, where is its host, does the host resolve. The lookup
// is the only I/O, done before the engine runs, so nothing awaits between a decision and its
// effects (a second request must see the first one's cache entry).
import type { Decision } from '../engine/decision';
import type { Effect } from '../engine/effects';
import { routeToCore, type CoreRouteInput } from '../engine/route/core-route';
import { aorOf } from './addresses';
import { hostResolves, sipHost } from './resolve';

export interface CoreRouteDeps {
  /** the PF's own domain */
  domain: string;
  outboundProxy?: string;
  isServed: (aor: string) => boolean;
}

export async function coreRouteInput(deps: CoreRouteDeps, o: { servedUser: string; target: string; callId?: string; txn: string }): Promise<CoreRouteInput> {
  const targetHost = sipHost(o.target);
  const targetServed = deps.isServed(aorOf(o.target) ?? '');
  return {
    ...o,
    targetHost,
    targetServed,
    ownDomains: [deps.domain],
    outboundProxy: deps.outboundProxy,
    hostResolves: targetHost && !deps.outboundProxy && !targetServed ? await hostResolves(targetHost) : undefined,
  };
}

/** The effects with a FWD_REQ toward the core replaced by what the CORE decision says. */
export function routedToCore(
  input: CoreRouteInput,
  effects: Effect[],
  /** the CORE decision: the engine's routeToCore, through the recorded seam when given */
  decide: (input: CoreRouteInput) => { effects: Effect[]; decisions: Decision[] } = routeToCore,
): { effects: Effect[]; decisions: Decision[] } {
  const i = effects.findIndex((e) => e.kind === 'FWD_REQ' && e.toLeg === 'core');
  if (i < 0) return { effects, decisions: [] };
  const route = decide(input);
  return { effects: [...effects.slice(0, i), ...route.effects, ...effects.slice(i + 1)], decisions: route.decisions };
}
