// BYE-4-R-iii-2 (SPEC §5.6, AMB-37): a served client comes back to the group the PF stayed in. It
// is bound to the retained CF leg (no new INVITE toward the CF) and gets what was deferred.
import type { Work } from './bye-state';
import type { ClientRejoined } from './inputs';
import { sameResource } from '../parse/uri';
import { decision } from './relay';

export function rejoin(w: Work, input: ClientRejoined): void {
  const s = w.s;
  const matches =
    (input.requestUri !== undefined && s.groupSessionIdentity !== undefined && sameResource(input.requestUri, s.groupSessionIdentity)) ||
    (input.contributionId !== undefined && input.contributionId === s.contributionId);
  if (s.mode !== 'REMAIN_DISCONNECTED' || !matches) {
    w.decisions.push(decision(w, 'BYE-4-R-iii-2', 'NOT_BOUND', 'The INVITE does not return to a session the PF kept for this user; it is handled as a new invitation.', {
      mode: s.mode,
      requestUri: input.requestUri,
      contributionId: input.contributionId,
    }));
    return;
  }
  const leg = structuredClone(input.leg);
  leg.state = 'CONNECTED';
  s.legs.push(leg);
  // the anchored SDP answer is the invitation handler's; this only accepts the binding
  if (input.txn !== undefined) w.effects.push({ kind: 'SEND_RESP', txn: input.txn, code: 200, reason: 'OK' });
  const items = s.bye.deferred;
  for (const item of items) {
    // an MSRP SEND on the new leg's session carrying the deferred CPIM message
    w.effects.push({ kind: 'SEND_REQ', leg: leg.id, method: 'SEND', headers: { ...item.headers, 'Content-Type': item.contentType }, body: item.body });
  }
  s.bye.deferred = [];
  w.effects.push({ kind: 'SET_MODE', sessionId: s.id, mode: 'ACTIVE' });
  s.mode = 'ACTIVE';
  s.interceptEnabled = false;
  w.decisions.push(decision(w, 'BYE-4-R-iii-2', 'REJOINED', `The client is back on ${leg.id}, bound to the kept CF leg without a new INVITE to the CF; ${items.length} deferred item(s) delivered.`, {
    legId: leg.id,
    deferredDelivered: items.map((i) => i.messageId ?? '?'),
  }));
}
