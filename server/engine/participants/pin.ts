// PIN — the PF's participant-information subscription (SPEC §6.1) and the conference NOTIFYs it
// receives or relays (§6.2). Pure: (session, input, policy, prefs, now) → new session + effects.
import { decide, type Decision } from '../decision';
import { folderLabel, sessionTimer, type Effect, type Headers, type TimerRef } from '../effects';
import type { ConfSubscription, CpmSession, SipDialogRef, UserPrefs } from '../model';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { header, type SipMessageView } from '../message';
import { CONFERENCE_INFO_TYPE, parseConferenceInfo } from '../parse/conference-info';
import { parseSubscriptionState, type SubscriptionState } from '../parse/subscription-state';
import { groupStateObject, sessionHistoryFolder } from './group-state-object';
import { applyConferenceInfo, emptyRoster, OWN_SUBSCRIPTION } from './roster';

export interface PinResult extends EngineResult {
  session: CpmSession;
}

export type PinTimerKind = 'refresh' | 'resubscribe' | 'retry';

/** Timer names carry the branch that asked for them so the later SUBSCRIBE is explained. */
export function pinTimerName(sessionId: string, kind: PinTimerKind, branch: string): string {
  return `pin/${kind}/${branch}/${sessionId}`;
}

/** A PIN timer of the session, by the name that carries its branch. */
export function pinTimer(sessionId: string, kind: PinTimerKind, branch: string): TimerRef {
  return sessionTimer(sessionId, pinTimerName(sessionId, kind, branch));
}

export function parsePinTimerName(name: string): { kind: PinTimerKind; branch: string; sessionId: string } | undefined {
  const m = /^pin\/(refresh|resubscribe|retry)\/([^/]+)\/(.+)$/.exec(name);
  return m ? { kind: m[1] as PinTimerKind, branch: m[2], sessionId: m[3] } : undefined;
}

/** The §6.1 SUBSCRIBE as an effect: new dialog unless `inDialog`. */
export function confSubscribeEffect(
  session: Pick<CpmSession, 'id' | 'servedUser' | 'groupSessionIdentity'>,
  expires: number,
  inDialog = false,
): Effect {
  const uri = session.groupSessionIdentity ?? '';
  const headers: Headers = {
    From: `<${session.servedUser}>`,
    To: `<${uri}>`,
    Event: 'conference',
    Accept: CONFERENCE_INFO_TYPE,
    Expires: String(expires),
    'P-Asserted-Identity': `<${session.servedUser}>`,
  };
  return { kind: 'SUBSCRIBE_CONF', sessionId: session.id, expires, uri, headers, ...(inDialog ? { inDialog: true } : {}) };
}

class Acc {
  effects: Effect[] = [];
  decisions: Decision[] = [];
  constructor(
    public session: CpmSession,
    private callId?: string,
  ) {}
  decide(branch: string, outcome: string, summary: string, inputs: Record<string, unknown>) {
    this.decisions.push(
      decide({
        branch,
        procedure: 'PIN',
        outcome,
        summary,
        inputs,
        servedUser: this.session.servedUser,
        sessionId: this.session.id,
        ...(this.callId ? { callId: this.callId } : {}),
      }),
    );
  }
  sub(patch: Partial<ConfSubscription> | undefined) {
    if (patch === undefined) {
      const { confSubscription: _, ...rest } = this.session;
      this.session = rest;
    } else {
      this.session = { ...this.session, confSubscription: { ...(this.session.confSubscription ?? { state: 'PENDING' }), ...patch } };
    }
  }
  result(): PinResult {
    return { effects: this.effects, decisions: this.decisions, session: this.session };
  }
}

const stillInSession = (s: CpmSession) => s.mode === 'ACTIVE' || s.mode === 'REMAIN_DISCONNECTED';

/** §6.1: open the PF's own participant-info subscription (GROUP sessions only, AMB-36). */
export function startConfSubscription(input: { session: CpmSession; policy: Policy; now: number }): PinResult {
  const acc = new Acc(input.session);
  sendNewSubscribe(acc, input.policy, 'PIN-S1', input.policy.confSubscribeExpiresSec, 'the PF needs the participant list of the group');
  return acc.result();
}

function sendNewSubscribe(acc: Acc, policy: Policy, branch: string, expires: number, why: string, carry: Partial<ConfSubscription> = {}) {
  const s = acc.session;
  if (s.type !== 'GROUP' || !s.groupSessionIdentity) {
    acc.decide(branch, 'NO_SUBSCRIBE', 'Only group sessions with a known group identity get a participant subscription, so none is sent.', {
      type: s.type,
      groupSessionIdentity: s.groupSessionIdentity,
    });
    return;
  }
  acc.effects.push(confSubscribeEffect(s, expires));
  acc.session = {
    ...s,
    confSubscription: { state: 'PENDING', awaiting: 'RESPONSE', requestedExpires: expires, ...carry },
  };
  acc.decide(branch, 'SUBSCRIBE', `A new conference SUBSCRIBE (Expires ${expires}) goes to ${s.groupSessionIdentity}: ${why}.`, {
    groupSessionIdentity: s.groupSessionIdentity,
    expires,
    confSubscribeExpiresSec: policy.confSubscribeExpiresSec,
  });
}

/**
 * The shell sent the SUBSCRIBE with this Call-ID and From tag: record them so a NOTIFY that
 * overtakes the 2xx (RFC 6665 §4.1.2.4) already matches the subscription.
 */
export function confSubscribeSent(session: CpmSession, dialog: Pick<SipDialogRef, 'callId' | 'localTag'>): CpmSession {
  if (session.confSubscription === undefined) return session;
  return { ...session, confSubscription: { ...session.confSubscription, dialog: { ...dialog, remoteTag: '' } } };
}

function refreshLeadMs(expiresSec: number): number {
  // refresh a minute early, or half-way for short subscriptions
  return Math.max(expiresSec * 500, (expiresSec - 60) * 1000);
}

/** PIN-S1 / PIN-S2: the final response to the PF's own SUBSCRIBE. */
export function onConfSubscribeResponse(input: {
  session: CpmSession;
  response: Pick<SipMessageView, 'status' | 'headers'>;
  /** the subscription dialog, when the response created one */
  dialog?: SipDialogRef;
  policy: Policy;
  now: number;
}): PinResult {
  const { response, policy, now } = input;
  const acc = new Acc(input.session, header(response, 'call-id'));
  const status = response.status ?? 0;
  const sub = acc.session.confSubscription;
  const requested = sub?.requestedExpires ?? policy.confSubscribeExpiresSec;
  const inputs = { status, requestedExpires: requested, retried: sub?.retried ?? false };

  if (status >= 200 && status < 300) {
    const granted = intHeader(response, 'expires') ?? requested;
    acc.sub({
      state: sub?.state === 'ACTIVE' ? 'ACTIVE' : 'PENDING',
      awaiting: sub?.state === 'ACTIVE' ? undefined : 'FIRST_NOTIFY',
      expiresAt: now + granted * 1000,
      ...(input.dialog ? { dialog: input.dialog } : {}),
    });
    acc.effects.push({ kind: 'START_TIMER', timer: pinTimer(acc.session.id, 'refresh', 'PIN-S1'), ms: refreshLeadMs(granted) });
    acc.decide(
      'PIN-S1',
      'PENDING_FIRST_NOTIFY',
      `The Controlling Function accepted the conference subscription with ${status}${status === 202 ? ' (an older notifier; treated like 200)' : ''}; the PF now waits for the first NOTIFY.`,
      { ...inputs, grantedExpires: granted },
    );
    return acc.result();
  }

  const minExpires = intHeader(response, 'min-expires');
  if (status === 423 && minExpires !== undefined && minExpires > requested) {
    acc.decide('PIN-S2', 'RETRY', `The subscription interval was too brief (423); the PF subscribes again with Expires ${minExpires}.`, {
      ...inputs,
      minExpires,
    });
    sendNewSubscribe(acc, policy, 'PIN-S2', minExpires, 'retry with the interval the Controlling Function asked for', { retried: sub?.retried });
    return acc.result();
  }
  const retryAfter = intHeader(response, 'retry-after');
  if ((status >= 500 || retryAfter !== undefined) && !(sub?.retried ?? false) && stillInSession(acc.session)) {
    acc.sub({ state: 'TERMINATED', awaiting: undefined, retried: true });
    const ms = (retryAfter ?? 0) * 1000;
    if (ms > 0) acc.effects.push({ kind: 'START_TIMER', timer: pinTimer(acc.session.id, 'retry', 'PIN-S2'), ms });
    else sendNewSubscribe(acc, policy, 'PIN-S2', requested, 'single retry after a server failure', { retried: true });
    acc.decide(
      'PIN-S2',
      'RETRY_ONCE',
      `The conference SUBSCRIBE failed with ${status}; the PF retries once${ms > 0 ? ` after ${retryAfter} s` : ' at once'}.`,
      { ...inputs, retryAfter },
    );
    return acc.result();
  }
  acc.sub({ state: 'TERMINATED', awaiting: undefined });
  acc.decide('PIN-S2', 'NO_RETRY', `The conference SUBSCRIBE failed with ${status}; the PF does not retry.`, { ...inputs, retryAfter, minExpires });
  return acc.result();
}

export type NotifyTarget =
  /** the Request-URI is the Contact the PF reserves for its own subscriptions */
  | { kind: 'OWN' }
  /** the Request-URI is a B2BUA Contact of the PF (or, in proxy mode, a record-routed client subscription) */
  | { kind: 'RELAY'; clientSubLeg?: string };

export interface ConfNotifyInput {
  session?: CpmSession;
  request: SipMessageView;
  /** server transaction of the NOTIFY */
  txn: string;
  target: NotifyTarget;
  policy: Policy;
  prefs: UserPrefs;
  now: number;
  /** IMDN-Message-ID for a Group State Object, should PIN-N5 store one */
  newMessageId: string;
}

export interface ConfNotifyResult extends EngineResult {
  session?: CpmSession;
}

/** §6.2: a conference NOTIFY arrives at the PF. */
export function onConfNotify(input: ConfNotifyInput): ConfNotifyResult {
  const { request, txn, target, policy } = input;
  const callId = header(request, 'call-id');
  if (input.session === undefined || (target.kind === 'OWN' && !ownDialogMatches(input.session, request))) {
    return notOurs(input, callId);
  }
  const acc = new Acc(input.session, callId);
  const ok = () => acc.effects.push({ kind: 'SEND_RESP', txn, code: 200, reason: 'OK' });
  const rawState = header(request, 'subscription-state');

  if (target.kind === 'RELAY') {
    if (policy.pfMode === 'proxy') {
      acc.effects.push({ kind: 'FWD_REQ', toLeg: target.clientSubLeg ?? request.uri ?? '' });
      acc.decide('PIN-N1r', 'FORWARD', 'The NOTIFY belongs to a subscription a client made through the PF (proxy); it is forwarded to the client and its response relayed back.', {
        pfMode: policy.pfMode,
        clientSubLeg: target.clientSubLeg,
      });
    } else if (target.clientSubLeg === undefined) {
      return notOurs(input, callId);
    } else {
      const headers: Headers = { 'Subscription-State': rawState ?? '', Event: header(request, 'event') ?? 'conference' };
      const ct = header(request, 'content-type');
      if (ct !== undefined) headers['Content-Type'] = ct;
      acc.effects.push({ kind: 'SEND_REQ', leg: target.clientSubLeg, method: 'NOTIFY', headers, ...(request.body ? { body: request.body } : {}) });
      acc.decide('PIN-N1r', 'RELAY', "The NOTIFY belongs to the client's own conference subscription; the PF relays it on the client's dialog and will relay the client's answer.", {
        pfMode: policy.pfMode,
        clientSubLeg: target.clientSubLeg,
        subscriptionState: rawState,
      });
    }
    // the roster learnt on the way serves BYE-1e-ii; no refresh, GSO or resubscription here:
    // the subscription is the client's
    const ss = parseSubscriptionState(rawState);
    const subscription = target.clientSubLeg ?? request.uri ?? '';
    applyBody(acc, input, {
      source: 'RELAYED',
      subscription,
      ignoreDisconnectionMethods: ss.ok && ss.value.state === 'terminated' && ss.value.reason === 'noresource',
      firstNotify: false,
      refreshOnTrouble: false,
    });
    // a relayed subscription that ended counts no more versions
    if (ss.ok && ss.value.state === 'terminated') forgetSubscription(acc, subscription);
    return acc.result();
  }

  const ss = parseSubscriptionState(rawState);
  if (!ss.ok) {
    acc.effects.push({ kind: 'SEND_RESP', txn, code: 400, reason: 'Bad Request' });
    acc.decide('PIN-N9', 'REJECT', `The NOTIFY's Subscription-State cannot be read (${ss.error.message}), so it is answered 400 and changes nothing.`, {
      subscriptionState: rawState,
      error: ss.error,
    });
    return acc.result();
  }
  ok();
  const state = ss.value;
  learnRemoteTag(acc, request);
  const firstNotify = acc.session.confSubscription?.awaiting !== undefined;

  if (state.state !== 'terminated') {
    acc.sub({
      state: state.state === 'active' ? 'ACTIVE' : 'PENDING',
      awaiting: undefined,
      resubscribedAfterUnknownTermination: false,
      ...(state.expires !== undefined ? { expiresAt: input.now + state.expires * 1000 } : {}),
    });
    applyBody(acc, input, { source: 'OWN_SUBSCRIPTION', subscription: OWN_SUBSCRIPTION, ignoreDisconnectionMethods: false, firstNotify, refreshOnTrouble: true });
    return acc.result();
  }

  acc.sub({ state: 'TERMINATED', awaiting: undefined });
  acc.effects.push({ kind: 'CANCEL_TIMER', timer: pinTimer(acc.session.id, 'refresh', 'PIN-S1') });
  applyBody(acc, input, {
    source: 'OWN_SUBSCRIPTION',
    subscription: OWN_SUBSCRIPTION,
    ignoreDisconnectionMethods: state.reason === 'noresource',
    firstNotify,
    refreshOnTrouble: false,
  });
  onTermination(acc, input, state);
  return acc.result();
}

function notOurs(input: ConfNotifyInput, callId: string | undefined): ConfNotifyResult {
  const effects: Effect[] = [{ kind: 'SEND_RESP', txn: input.txn, code: 481, reason: 'Subscription does not exist' }];
  const own = input.target.kind === 'OWN';
  return {
    effects,
    decisions: [
      decide({
        branch: 'PIN-N1',
        procedure: 'PIN',
        outcome: 'REJECT_481',
        summary: own
          ? 'The NOTIFY is addressed to the PF\'s own subscription Contact but matches none of its subscriptions, so it is answered 481.'
          : 'The NOTIFY is addressed to the PF as B2BUA but no client subscription dialog matches, so it is answered 481.',
        inputs: { target: input.target, callId, hasSession: input.session !== undefined, pfMode: input.policy.pfMode },
        ...(input.session ? { sessionId: input.session.id, servedUser: input.session.servedUser } : {}),
        ...(callId ? { callId } : {}),
      }),
    ],
    ...(input.session ? { session: input.session } : {}),
  };
}

function tagOf(v: string | undefined): string | undefined {
  return v === undefined ? undefined : /;\s*tag\s*=\s*([^;\s]+)/i.exec(v)?.[1];
}

// The NOTIFY's To tag is the PF's tag and its From tag the notifier's (RFC 6665 §4.4.1).
function ownDialogMatches(session: CpmSession, request: SipMessageView): boolean {
  const sub = session.confSubscription;
  if (sub === undefined || sub.dialog === undefined) return false;
  if (sub.state === 'TERMINATED' && sub.awaiting === undefined) return false;
  if (header(request, 'call-id') !== sub.dialog.callId) return false;
  if (tagOf(header(request, 'to')) !== sub.dialog.localTag) return false;
  const remote = tagOf(header(request, 'from'));
  return sub.dialog.remoteTag === '' || sub.dialog.remoteTag === remote;
}

function learnRemoteTag(acc: Acc, request: SipMessageView) {
  const d = acc.session.confSubscription?.dialog;
  const remote = tagOf(header(request, 'from'));
  if (d && d.remoteTag === '' && remote) acc.sub({ dialog: { ...d, remoteTag: remote } });
}

function applyBody(
  acc: Acc,
  input: ConfNotifyInput,
  opts: { source: 'OWN_SUBSCRIPTION' | 'RELAYED'; subscription: string; ignoreDisconnectionMethods: boolean; firstNotify: boolean; refreshOnTrouble: boolean },
) {
  const body = input.request.body;
  const refresh = (branch: string, why: string) => {
    const sub = acc.session.confSubscription;
    if (!opts.refreshOnTrouble || sub?.dialog === undefined) return;
    acc.effects.push(confSubscribeEffect(acc.session, input.policy.confSubscribeExpiresSec, true));
    acc.decide(branch, 'REFRESH', `The PF refreshes its conference subscription to get the full participant list: ${why}.`, {
      expires: input.policy.confSubscribeExpiresSec,
    });
  };
  if (body.trim() === '') {
    acc.decide('PIN-N2', 'NO_BODY', 'The NOTIFY carries no participant document; the roster stays as it was.', {
      rosterVersion: acc.session.participants.version,
    });
    return;
  }
  const doc = parseConferenceInfo(body);
  if (!doc.ok) {
    acc.decide('PIN-N9', 'KEEP_ROSTER', `The participant document cannot be read (${doc.error.message}); the PF keeps the last good roster.`, {
      error: doc.error,
      contentType: header(input.request, 'content-type'),
      rosterVersion: acc.session.participants.version,
    });
    refresh('PIN-N9', 'the last document could not be read');
    return;
  }
  const before = acc.session.participants;
  const base = before.source === 'NONE' ? emptyRoster() : before;
  const applied = applyConferenceInfo(base, doc.value, opts);
  const lastVersion = opts.firstNotify ? undefined : base.versions?.[opts.subscription];
  const inputs = {
    documentState: doc.value.state,
    version: doc.value.version,
    subscription: opts.subscription,
    lastVersion: lastVersion ?? 'none (first document of this subscription)',
    active: doc.value.active,
    confActive: applied.roster.confActive,
    source: opts.source,
    firstNotify: opts.firstNotify,
    ignoreDisconnectionMethods: opts.ignoreDisconnectionMethods,
  };
  if (applied.outcome === 'STALE') {
    acc.decide('PIN-N4', 'IGNORE', `Participant document version ${doc.value.version} is not newer than ${lastVersion ?? 0}, the last one of this subscription; it is ignored as stale or duplicate.`, inputs);
    return;
  }
  if (applied.outcome === 'GAP') {
    acc.decide('PIN-N3', 'GAP', `Partial document version ${doc.value.version} skips versions after ${lastVersion ?? 0} on this subscription; it is discarded.`, inputs);
    refresh('PIN-N3', `versions between ${lastVersion ?? 0} and ${doc.value.version} were missed`);
    return;
  }
  acc.session = { ...acc.session, participants: applied.roster };
  const left = Object.entries(applied.roster.users)
    .filter(([, u]) => Object.values(u.endpoints).some((e) => e.leftWhileActive))
    .map(([entity]) => entity);
  acc.decide(
    'PIN-N2',
    'ROSTER_UPDATED',
    `The ${doc.value.state} participant document version ${doc.value.version} was applied: ${Object.keys(applied.roster.users).length} users known${
      left.length ? `, ${left.length} left on purpose while the conference was active` : ''
    }.`,
    { ...inputs, users: Object.keys(applied.roster.users), leftWhileActive: left },
  );
}

function forgetSubscription(acc: Acc, subscription: string) {
  const versions = acc.session.participants.versions;
  if (versions?.[subscription] === undefined) return;
  const { [subscription]: _gone, ...rest } = versions;
  acc.session = { ...acc.session, participants: { ...acc.session.participants, versions: rest } };
}

const IMMEDIATE = new Set(['deactivated', 'timeout']);

function onTermination(acc: Acc, input: ConfNotifyInput, state: SubscriptionState) {
  const { policy, prefs } = input;
  const reason = state.reason;
  const inputs = {
    subscriptionState: header(input.request, 'subscription-state'),
    reason,
    retryAfter: state.retryAfter,
    mode: acc.session.mode,
  };
  if (reason === 'noresource') {
    const store = prefs.allowStore || prefs.allowOfflineStorage;
    const prefInputs = { ...inputs, allowStore: prefs.allowStore, allowOfflineStorage: prefs.allowOfflineStorage, prefsSource: prefs.source };
    if (!store) {
      acc.decide('PIN-N6', 'NO_STORE', 'The group session ended (noresource); neither allow-store nor allow-offline-storage is set, so no Group State Object is stored and the PF does not subscribe again.', prefInputs);
      return;
    }
    if (acc.session.type !== 'GROUP') {
      acc.decide('PIN-N5', 'NO_STORE', 'The subscription ended (noresource) but the session is not a group session, so no Group State Object is written (AMB-5).', prefInputs);
      return;
    }
    const object = groupStateObject({ session: acc.session, now: input.now, newMessageId: input.newMessageId });
    acc.effects.push({ kind: 'STORE_GSO', folder: sessionHistoryFolder(acc.session), body: object.body, object });
    acc.decide(
      'PIN-N5',
      'STORE_GSO',
      'The group session ended (noresource); a new Group State Object with the last participants is appended to the session folder and the PF does not subscribe again.',
      { ...prefInputs, folder: folderLabel(sessionHistoryFolder(acc.session)), imdnMessageId: input.newMessageId, rosterVersion: acc.session.participants.version },
    );
    return;
  }
  const inSession = stillInSession(acc.session);
  const resubscribe = (branch: string, outcomeWords: string, afterSec: number | undefined, carry: Partial<ConfSubscription> = {}) => {
    if (!inSession) {
      acc.decide(branch, 'NO_RESUBSCRIBE', `The conference subscription ended (${reason ?? 'no reason'}); the session is ${acc.session.mode}, so the PF does not subscribe again.`, inputs);
      return;
    }
    if (afterSec !== undefined && afterSec > 0) {
      acc.sub(carry);
      acc.effects.push({ kind: 'START_TIMER', timer: pinTimer(acc.session.id, 'resubscribe', branch), ms: afterSec * 1000 });
      acc.decide(branch, 'RESUBSCRIBE_LATER', `The conference subscription ended (${outcomeWords}); the PF subscribes again after ${afterSec} s.`, inputs);
      return;
    }
    acc.decide(branch, 'RESUBSCRIBE', `The conference subscription ended (${outcomeWords}); the PF subscribes again at once.`, inputs);
    sendNewSubscribe(acc, policy, branch, policy.confSubscribeExpiresSec, `resubscription after ${reason ?? 'a reasonless termination'}`, carry);
  };

  if (reason !== undefined && IMMEDIATE.has(reason)) return resubscribe('PIN-N7', reason, undefined);
  if (reason === 'probation' || reason === 'giveup') {
    const branch = reason === 'probation' ? 'PIN-N7' : 'PIN-N8';
    if (state.retryAfter === undefined) {
      acc.decide(branch, 'NO_RESUBSCRIBE', `The conference subscription ended (${reason}) without retry-after, so the PF does not subscribe again.`, inputs);
      return;
    }
    return resubscribe(branch, `${reason}, retry-after ${state.retryAfter} s`, state.retryAfter);
  }
  if (reason === 'rejected' || reason === 'invariant') {
    acc.decide('PIN-N8', 'NO_RESUBSCRIBE', `The conference subscription ended (${reason}); RFC 6665 forbids subscribing again, and no Group State Object is stored.`, inputs);
    return;
  }
  // PIN-N8u (AMB-44): no reason, or one this spec does not know
  if (acc.session.confSubscription?.resubscribedAfterUnknownTermination) {
    acc.decide('PIN-N8u', 'NO_RESUBSCRIBE', `The conference subscription ended again (${reason ?? 'no reason'}); the one resubscription allowed was already used.`, inputs);
    return;
  }
  resubscribe('PIN-N8u', reason ? `unknown reason ${reason}` : 'no reason given', state.retryAfter, {
    resubscribedAfterUnknownTermination: true,
  });
}

/** A PIN timer fired: refresh the subscription, or send a resubscription that was put off. */
export function onPinTimer(input: { session: CpmSession; timer: string; policy: Policy; now: number }): PinResult {
  const acc = new Acc(input.session);
  const t = parsePinTimerName(input.timer);
  if (t === undefined || t.sessionId !== input.session.id) {
    acc.decide('PIN-S1', 'IGNORE', 'A timer that is not a participant-subscription timer of this session fired; nothing to do.', { timer: input.timer });
    return acc.result();
  }
  const sub = acc.session.confSubscription;
  if (t.kind === 'refresh') {
    if (sub?.dialog !== undefined && sub.state !== 'TERMINATED' && stillInSession(acc.session)) {
      acc.effects.push(confSubscribeEffect(acc.session, input.policy.confSubscribeExpiresSec, true));
      acc.sub({ requestedExpires: input.policy.confSubscribeExpiresSec });
      acc.decide('PIN-S1', 'REFRESH', 'The conference subscription is about to expire, so the PF refreshes it in its dialog.', {
        expiresAt: sub.expiresAt,
        now: input.now,
      });
    } else {
      acc.decide('PIN-S1', 'IGNORE', 'A refresh timer fired for a subscription that has ended; nothing to do.', { state: sub?.state, mode: acc.session.mode });
    }
    return acc.result();
  }
  if (!stillInSession(acc.session) || (sub !== undefined && sub.state !== 'TERMINATED')) {
    acc.decide(t.branch, 'IGNORE', 'A delayed resubscription is no longer needed (session released or a subscription exists).', {
      state: sub?.state,
      mode: acc.session.mode,
    });
    return acc.result();
  }
  const carry: Partial<ConfSubscription> = {
    ...(sub?.retried ? { retried: true } : {}),
    ...(sub?.resubscribedAfterUnknownTermination ? { resubscribedAfterUnknownTermination: true } : {}),
  };
  sendNewSubscribe(acc, input.policy, t.branch, sub?.requestedExpires ?? input.policy.confSubscribeExpiresSec, 'the delay asked for has passed', carry);
  return acc.result();
}

function intHeader(msg: Pick<SipMessageView, 'headers'>, name: string): number | undefined {
  const v = header(msg, name)?.trim();
  if (v === undefined) return undefined;
  const m = /^(\d{1,10})/.exec(v);
  return m ? Number(m[1]) : undefined;
}
