// BYE-4 (SPEC §5.6): the last suitable client lost its connection. Stay in the group (remain) when
// the user's preferences or the long-lived restart policy make it worth it; otherwise propagate.
import { sendBye } from './build-request';
import { cpmPeers, prefsInputs, remoteIwfs, type Work } from './bye-state';
import { ownSubscriptionLive, subscribeConf } from './conf-subscription';
import { decision, startRelay } from './relay';
import type { LossOrigin } from './user-leave';

export function connectionLoss(w: Work, o: LossOrigin): void {
  const { prefs, policy } = w.ctx;
  const s = w.s;
  const { src } = o;
  const a = prefs.allowOfflineStorage;
  const b = prefs.allowStore;
  const c = prefs.allowDefer;
  const d = policy.allowLongLivedGroupRestart;
  const typeAllows = s.type === 'GROUP' || policy.remainOnConnectionLossFor1to1;
  const inputs = {
    legId: src.id,
    legKind: src.kind,
    ...prefsInputs(prefs),
    allowLongLivedGroupRestart: d,
    sessionType: s.type,
    remainOnConnectionLossFor1to1: policy.remainOnConnectionLossFor1to1,
  };

  if ((a || b || c || d) && typeAllows) {
    w.effects.push({ kind: 'RELEASE_MEDIA', legs: [src.id] });
    src.state = 'TERMINATED';
    const ownSub = ownSubscriptionLive(w);
    if (s.type === 'GROUP' && !ownSub) subscribeConf(w);
    w.decisions.push(decision(w, 'BYE-4-R-i', s.type !== 'GROUP' ? 'NO_SUBSCRIBE' : ownSub ? 'ALREADY_SUBSCRIBED' : 'SUBSCRIBE',
      s.type !== 'GROUP'
        ? 'A 1-1 session has no conference to subscribe to.'
        : ownSub
          ? "The PF's own conference subscription is already active; no second SUBSCRIBE."
          : 'The PF subscribes to the participant information itself; the client subscription died with the client.',
      { sessionType: s.type, confSubscription: s.confSubscription?.state ?? 'NONE' }));
    if (o.txn !== undefined) {
      w.effects.push({ kind: 'SEND_RESP', txn: o.txn, code: 200, reason: 'OK', headers: o.okHeaders });
      w.decisions.push(decision(w, 'BYE-4-R-ans', 'ANSWER', `200 OK sent to ${src.id} at once; no BYE goes toward the far side.`, {
        answerNetworkByeImmediately: policy.answerNetworkByeImmediately,
      }));
    }
    w.effects.push({ kind: 'SET_MODE', sessionId: s.id, mode: 'REMAIN_DISCONNECTED' });
    s.mode = 'REMAIN_DISCONNECTED';
    s.interceptEnabled = a || b || c;
    w.decisions.push(decision(w, 'BYE-4-R', 'REMAIN', `The connection to ${src.id} was lost; the PF stays in the session ${s.interceptEnabled ? 'and intercepts chat messages and notifications for the user' : 'only for a long-lived restart (nothing is intercepted)'}.`, {
      ...inputs,
      interceptEnabled: s.interceptEnabled,
    }));
    return;
  }

  const immediate = policy.answerNetworkByeImmediately;
  src.state = 'TERMINATED';
  if (immediate && o.txn !== undefined) w.effects.push({ kind: 'SEND_RESP', txn: o.txn, code: 200, reason: 'OK', headers: o.okHeaders });
  const far = [...cpmPeers(w), ...remoteIwfs(w)];
  w.decisions.push(decision(w, 'BYE-4-P', 'PROPAGATE', !typeAllows
    ? 'A 1-1 session does not remain after a lost connection; the release is passed on to the far side.'
    : 'No preference or policy asks the PF to stay; the release is passed on to the far side.', {
    ...inputs,
    answerNetworkByeImmediately: immediate,
    farSide: far.map((l) => l.id),
  }));
  for (const l of far) sendBye(w, l, o.reasonValues);
  startRelay(w, {
    branch: 'BYE-4-P',
    srcLeg: src.id,
    txn: o.txn,
    answered: immediate || o.txn === undefined,
    okHeaders: o.okHeaders,
    waitFor: far.map((l) => l.id),
    reasonValues: o.reasonValues,
  });
}
