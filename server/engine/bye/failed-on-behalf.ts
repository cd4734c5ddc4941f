// BYE-4-R-ii-d (AMB-26): a chat message the PF acknowledged without storing or deferring is not
// delivered, so IMDN-GEN-1 applies: a <failed/> delivery notification on the user's behalf, built
// by IMDN-GEN (§10: cache first, routed by IMDN-Record-Route).
import { generateImdn } from '../imdn/generate';
import { parseCpim } from '../parse/cpim';
import type { Work } from './bye-state';
import type { InterceptedItem } from './inputs';
import { decision } from './relay';

export function failedOnBehalf(w: Work, item: InterceptedItem): void {
  const s = w.s;
  const parsed = parseCpim(item.body);
  if (!parsed.ok) {
    w.decisions.push(decision(w, 'BYE-4-R-ii-d', 'NO_IMDN', `The message's CPIM envelope cannot be read (${parsed.error.message}), so no failure notification can be addressed.`, { messageId: item.messageId }));
    return;
  }
  // the BYE procedures hold no aggregation buffers: each intercepted message is answered on its own
  const policy = { ...w.ctx.policy, imdnAggregation: { ...w.ctx.policy.imdnAggregation, enabled: false } };
  const r = generateImdn({
    servedUser: s.servedUser,
    original: { kind: 'CHAT', cpim: parsed.value, conversationId: s.conversationId, contributionId: s.contributionId },
    event: { kind: 'DELIVERY_FAILED' },
    newMessageId: `gen-${s.id}-${w.ctx.now}`,
    policy,
    now: w.ctx.now,
  });
  w.effects.push(...r.effects);
  w.decisions.push(...r.decisions.map((d) => ({ ...d, sessionId: s.id })));
}
