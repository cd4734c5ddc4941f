// Entry point of the BYE procedures (SPEC §5): one pure step from (session, input) to the new
// session value, the effects for the shell and the decisions that explain them.
import type { CpmSession, Leg, UserPrefs } from '../model';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { reasonOf } from '../parse/reason';
import { header, headerValues } from '../message';
import { legById, startWork, type ByeSession, type Work } from './bye-state';
import { okHeadersFor } from './build-request';
import { classifyBye, clsDecision } from './classify';
import type { ByeInput, ByeReceived, ResponseReceived } from './inputs';
import { TIMER_REINVITE_RETRY } from './inputs';
import { inDialogMessage } from './in-dialog-message';
import { intercept } from './intercept';
import { iwfRelease, reinviteAnswered, reinviteRetryTimer } from './iwf-release';
import { mediaConnectionLost } from './media-lost';
import { networkRelease } from './network-release';
import { byeGlare, noDialog, terminatePending } from './preconditions';
import { proxyBye, proxyResponse } from './proxy';
import { rejoin } from './rejoin';
import { decision, relayLegDone, relayTimerFired, rosterSettled } from './relay';
import { remoteRelease } from './remote-release';
import { userLeave, type ByeOrigin } from './user-leave';

export interface ByeOutcome extends EngineResult {
  /** the session after this step; undefined only when there was none */
  session: ByeSession | undefined;
}

const SEEN_TXNS_KEPT = 32;

export function handleBye(
  session: CpmSession | undefined,
  input: ByeInput,
  prefs: UserPrefs,
  policy: Policy,
  now: number,
  /** a number in [0, 1) drawn by the shell, used for the 491 back-off */
  random = 0,
): ByeOutcome {
  // D-266: refused whether or not a live session owns the dialog, and the session is unchanged
  if (input.kind === 'IN_DIALOG_MESSAGE') return { ...inDialogMessage(input, session), session };
  if (session === undefined) {
    if (input.kind === 'BYE_RECEIVED') return { ...noDialog(input.txn, header(input.message, 'call-id')), session };
    return { effects: [], decisions: [], session };
  }
  const w = startWork(session, { prefs, policy, now, random });
  switch (input.kind) {
    case 'BYE_RECEIVED': {
      const r = byeReceived(w, input);
      if (r !== undefined) return { ...r, session };
      break;
    }
    case 'RESPONSE_RECEIVED':
      responseReceived(w, input);
      break;
    case 'TIMER_FIRED':
      if (!relayTimerFired(w, input.name) && input.name === TIMER_REINVITE_RETRY) reinviteRetryTimer(w);
      break;
    case 'CONF_NOTIFY_APPLIED':
      if (input.roster !== undefined) w.s.participants = structuredClone(input.roster);
      if (w.s.confSubscription?.state === 'PENDING') w.s.confSubscription = { ...w.s.confSubscription, state: 'ACTIVE' };
      rosterSettled(w, 'the first NOTIFY of the PF subscription was applied');
      break;
    case 'MSRP_SEND_RECEIVED':
      intercept(w, input);
      break;
    case 'CLIENT_REJOINED':
      rejoin(w, input);
      break;
    case 'MEDIA_CONNECTION_LOST':
      mediaConnectionLost(w, input);
      break;
  }
  return { effects: w.effects, decisions: w.decisions, session: w.s };
}

/** Returns a result only when the session is left untouched (BYE-0a). */
function byeReceived(w: Work, input: ByeReceived): EngineResult | undefined {
  const callId = header(input.message, 'call-id');
  if (w.s.bye.seenTxns.includes(input.txn)) {
    // BYE-0b: the transaction layer re-sends its last response; the logic must not run twice
    w.decisions.push(decision(w, 'BYE-0b', 'RETRANSMISSION', 'A retransmission of a BYE already handled; the transaction layer repeats its answer.', { txn: input.txn }));
    return undefined;
  }
  const src = input.legId === undefined ? undefined : legById(w, input.legId);
  if (src !== undefined && w.s.bye.outstanding[src.id]?.method === 'BYE') {
    // BYE-0d: the PF's own BYE on this leg is still pending, so the dialog exists until it is
    // answered, also when the session was released in the meantime (the relay gave up waiting)
    w.s.bye.seenTxns = [...w.s.bye.seenTxns, input.txn].slice(-SEEN_TXNS_KEPT);
    byeGlare(w, byeOrigin(src, input));
    return undefined;
  }
  if (src === undefined || src.state === 'TERMINATED' || w.s.mode === 'RELEASED') return noDialog(input.txn, callId);
  w.s.bye.seenTxns = [...w.s.bye.seenTxns, input.txn].slice(-SEEN_TXNS_KEPT);

  const reason = reasonOf(input.message);
  const cls = classifyBye(src, reason);
  const d = clsDecision(cls, src, reason, w.s.id, callId);
  d.servedUser = w.s.servedUser;

  if (w.ctx.policy.pfMode === 'proxy') {
    w.decisions.push(d);
    proxyBye(w, src, cls);
    return undefined;
  }
  const o = byeOrigin(src, input);
  terminatePending(w, src);
  w.decisions.push(d);
  switch (cls.next) {
    case 'BYE-1':
      userLeave(w, o);
      break;
    case 'BYE-2':
      remoteRelease(w, o, cls);
      break;
    case 'BYE-3':
      iwfRelease(w, o);
      break;
    case 'BYE-4':
      // CLS-3 and CLS-10 alike: BYE-4 only when no other suitable client is connected (D-140)
      networkRelease(w, o);
      break;
  }
  return undefined;
}

function byeOrigin(src: Leg, input: ByeReceived): ByeOrigin {
  return {
    src,
    txn: input.txn,
    okHeaders: okHeadersFor(input.message),
    reasonValues: headerValues(input.message, 'reason').filter((v) => v.trim() !== ''),
  };
}

function responseReceived(w: Work, input: ResponseReceived): void {
  if (input.method === 'BYE' && proxyResponse(w, input.legId, input.status)) return;
  if (input.method === 'INVITE') {
    reinviteAnswered(w, input.legId, input.status);
    return;
  }
  if (input.method !== 'BYE' || input.status < 200) return;
  const out = w.s.bye.outstanding[input.legId];
  const leg = legById(w, input.legId);
  if (out?.method !== 'BYE' || leg === undefined) {
    w.decisions.push(decision(w, 'BYE-0d', 'IGNORED', `A ${input.status} for a BYE on ${input.legId}, whose dialog is already over; nothing to do.`, { legId: input.legId, status: input.status }));
    return;
  }
  delete w.s.bye.outstanding[input.legId];
  leg.state = 'TERMINATED';
  if (relayLegDone(w, leg.id, input.status)) return;
  // a BYE that gates nothing: another device or an IWF acting for the user (BYE-1b-iii), another
  // IWF (BYE-3b-v), a CPM peer of an interworked session or a leg left at the release (AMB-4)
  const branch = leg.kind === 'CLIENT' || leg.iwfSide === 'SERVED' ? 'BYE-1b-iii' : leg.kind === 'IWF' ? 'BYE-3b-v' : 'AMB-4';
  if (w.s.mode !== 'RELEASED') {
    w.effects.push({ kind: 'RELEASE_MEDIA', legs: [leg.id] });
    w.decisions.push(decision(w, branch, 'RELEASE', `${leg.id} answered the PF's BYE (${input.status}); its media is released.`, { legId: leg.id, status: input.status }));
  } else {
    w.decisions.push(decision(w, branch, 'ALREADY_RELEASED', `${leg.id} answered the PF's BYE (${input.status}); the session's media was already released.`, { legId: leg.id, status: input.status }));
  }
}
