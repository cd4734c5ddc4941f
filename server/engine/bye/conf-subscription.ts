// The PF's own participant-info subscription, as the BYE procedures need it (BYE-1e-ii, BYE-1f,
// BYE-4-R-i). The §6.1 request and its bookkeeping are PIN's; this only folds them into a Work.
import { confSubscribeEffect, startConfSubscription } from '../participants/pin';
import type { Work } from './bye-state';

export function ownSubscriptionLive(w: Work): boolean {
  const st = w.s.confSubscription?.state;
  return st === 'ACTIVE' || st === 'PENDING';
}

export function subscribeConf(w: Work): void {
  const r = startConfSubscription({ session: w.s, policy: w.ctx.policy, now: w.ctx.now });
  w.effects.push(...r.effects);
  w.decisions.push(...r.decisions);
  if (r.session?.confSubscription !== undefined) w.s.confSubscription = r.session.confSubscription;
}

/** End the subscription with Expires: 0 inside its dialog (AMB-32 c). */
export function unsubscribeConf(w: Work): void {
  w.effects.push(confSubscribeEffect(w.s, 0, true));
  if (w.s.confSubscription !== undefined) w.s.confSubscription = { ...w.s.confSubscription, state: 'TERMINATED' };
}
