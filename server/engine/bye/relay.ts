// The wait between the BYEs the PF generated and the 200 it owes the BYE's sender (BYE-1e,
// BYE-2d, BYE-3b-iv, BYE-4-P), capped by byeRelayTimeoutMs (AMB-25), and the release that follows.
import { groupStateObject, sessionHistoryFolder } from '../participants/group-state-object';
import type { Decision } from '../decision';
import { sendBye } from './build-request';
import { ownSubscriptionLive, unsubscribeConf } from './conf-subscription';
import { TIMER_BYE_RELAY, TIMER_GSO_ROSTER } from './inputs';
import { sessionTimer } from '../effects';
import type { Relay, RelayBranch, Work } from './bye-state';

/** What a procedure knows when it starts a relay; the clock and the timers are the relay's own. */
export type RelayStart = Omit<Relay, 'startedAt' | 'timers'>;

export function startRelay(w: Work, start: RelayStart): void {
  const relay: Relay = { ...start, startedAt: w.ctx.now, timers: [] };
  w.s.bye.relay = relay;
  if (!readyToFinish(relay)) {
    w.effects.push({ kind: 'START_TIMER', timer: sessionTimer(w.s.id, TIMER_BYE_RELAY), ms: w.ctx.policy.byeRelayTimeoutMs });
    relay.timers.push(TIMER_BYE_RELAY);
  }
  if (relay.gso !== undefined && !relay.gso.rosterReady) {
    // AMB-33: the roster wait is counted inside the relay cap
    const ms = Math.min(w.ctx.policy.gsoRosterTimeoutMs, w.ctx.policy.byeRelayTimeoutMs);
    w.effects.push({ kind: 'START_TIMER', timer: sessionTimer(w.s.id, TIMER_GSO_ROSTER), ms });
    relay.timers.push(TIMER_GSO_ROSTER);
  }
  if (readyToFinish(relay)) finishRelay(w, 'nothing to wait for');
}

function readyToFinish(r: Relay): boolean {
  return r.waitFor.length === 0 && (r.gso === undefined || r.gso.rosterReady);
}

const WAIT_BRANCH: Record<RelayBranch, string> = {
  'BYE-1': 'BYE-1e',
  'BYE-2': 'BYE-2d',
  'BYE-3b': 'BYE-3b-iv',
  'BYE-3a-fail': 'BYE-3a-fail',
  'BYE-4-P': 'BYE-4-P',
};

/**
 * A final answer (or the glare BYE of BYE-0d) ended the PF's BYE on `legId`. Returns false when
 * the leg was not one the relay waits for.
 */
export function relayLegDone(w: Work, legId: string, status: number | 'BYE'): boolean {
  const relay = w.s.bye.relay;
  if (relay === undefined || !relay.waitFor.includes(legId)) return false;
  relay.waitFor = relay.waitFor.filter((l) => l !== legId);
  const done = readyToFinish(relay);
  w.decisions.push(decision(w, WAIT_BRANCH[relay.branch], done ? 'DONE' : 'WAIT', done
    ? `Leg ${legId} answered the PF's BYE (${status}); nothing else to wait for.`
    : `Leg ${legId} answered the PF's BYE (${status}); still waiting for ${relay.waitFor.join(', ')}${relay.gso && !relay.gso.rosterReady ? ' and the roster' : ''}.`,
    { legId, status, stillWaiting: [...relay.waitFor] }));
  if (done) finishRelay(w, `every BYE answered`);
  else w.effects.push({ kind: 'RELEASE_MEDIA', legs: [legId] });
  return true;
}

/** The roster for the Group State Object is as good as it will get (NOTIFY applied, or its timer). */
export function rosterSettled(w: Work, why: string): void {
  const relay = w.s.bye.relay;
  if (relay?.gso === undefined || relay.gso.rosterReady) return;
  relay.gso.rosterReady = true;
  w.decisions.push(decision(w, 'BYE-1e-ii', 'ROSTER_READY', `The roster for the Group State Object is settled: ${why}.`, {
    rosterSource: w.s.participants.source,
    users: Object.keys(w.s.participants.users),
    gsoRosterTimeoutMs: w.ctx.policy.gsoRosterTimeoutMs,
  }));
  if (readyToFinish(relay)) finishRelay(w, why);
}

export function relayTimerFired(w: Work, name: string): boolean {
  const relay = w.s.bye.relay;
  if (relay === undefined || !relay.timers.includes(name)) return false;
  relay.timers = relay.timers.filter((t) => t !== name);
  if (name === TIMER_GSO_ROSTER) {
    rosterSettled(w, `no NOTIFY within gsoRosterTimeoutMs (${w.ctx.policy.gsoRosterTimeoutMs} ms); writing with the roster the PF has`);
    return true;
  }
  w.decisions.push(decision(w, 'AMB-25', 'TIMEOUT', `No answer from ${relay.waitFor.join(', ') || 'the roster'} within byeRelayTimeoutMs (${w.ctx.policy.byeRelayTimeoutMs} ms); finishing without it.`, {
    waitingFor: [...relay.waitFor],
    byeRelayTimeoutMs: w.ctx.policy.byeRelayTimeoutMs,
  }));
  if (relay.gso !== undefined) relay.gso.rosterReady = true;
  finishRelay(w, 'byeRelayTimeoutMs expired');
  return true;
}

function finishRelay(w: Work, why: string): void {
  const relay = w.s.bye.relay;
  if (relay === undefined) return;
  const { prefs, now } = w.ctx;
  const s = w.s;
  if (relay.gso !== undefined) {
    const object = groupStateObject({ session: s, now, newMessageId: `gso-${s.id}-${now}` });
    w.effects.push({ kind: 'STORE_GSO', folder: sessionHistoryFolder(s), body: object.body, object });
    w.decisions.push(decision(w, 'BYE-1e-ii', 'STORE', 'allow-offline-storage is on and the group uses a session history folder, so the Group State Object is stored before the 200.', {
      allowOfflineStorage: prefs.allowOfflineStorage,
      usesSessionHistoryFolder: s.usesSessionHistoryFolder,
      rosterSource: s.participants.source,
    }));
  }
  if (!relay.answered && relay.txn !== undefined) {
    w.effects.push({ kind: 'SEND_RESP', txn: relay.txn, code: 200, reason: 'OK', headers: relay.okHeaders });
    relay.answered = true;
    const branch = { 'BYE-1': 'BYE-1e-i', 'BYE-2': 'BYE-2d', 'BYE-3b': 'BYE-3b-iv', 'BYE-4-P': 'BYE-4-P', 'BYE-3a-fail': 'BYE-3a-fail' }[relay.branch];
    w.decisions.push(decision(w, branch, 'ANSWER', `200 OK sent to ${relay.srcLeg} (${why}).`, { srcLeg: relay.srcLeg, waitedMs: now - relay.startedAt }));
  }
  for (const t of relay.timers) w.effects.push({ kind: 'CANCEL_TIMER', timer: sessionTimer(w.s.id, t) });
  // AMB-4, RFC 3261 §15: no leg of a released session is left connected without a BYE (D-141)
  const left = s.legs.filter((l) => l.state === 'CONNECTED' && l.id !== relay.srcLeg);
  if (left.length > 0) {
    w.decisions.push(decision(w, 'AMB-4', 'BYE_REMAINING', `The session is over, so the legs still connected (${left.map((l) => `${l.id} (${l.kind})`).join(', ')}) get a BYE.`, { legs: left.map((l) => l.id) }));
    for (const l of left) sendBye(w, l, relay.reasonValues);
  }
  w.effects.push({ kind: 'RELEASE_MEDIA', legs: 'ALL' });
  w.effects.push({ kind: 'SET_MODE', sessionId: s.id, mode: 'RELEASED' });
  s.mode = 'RELEASED';
  s.interceptEnabled = false;
  for (const l of s.legs) if (l.state === 'CONNECTED') l.state = 'TERMINATED';
  const releaseBranch = { 'BYE-1': 'BYE-1f', 'BYE-2': 'BYE-2e', 'BYE-3b': 'BYE-3c', 'BYE-4-P': 'BYE-4-P', 'BYE-3a-fail': 'BYE-3c' }[relay.branch];
  w.decisions.push(decision(w, releaseBranch, 'RELEASE', 'All media of the session is released and the session is over.', { relay: relay.branch }));
  if (relay.branch === 'BYE-1' && ownSubscriptionLive(w)) {
    // AMB-32 (c): the PF's own participant subscription has no purpose once the user left
    unsubscribeConf(w);
    w.decisions.push(decision(w, 'BYE-1f', 'UNSUBSCRIBE', "The PF's own conference subscription is ended with Expires: 0.", {}));
  }
  w.s.bye.relay = undefined;
}

export function decision(w: Work, branch: string, outcome: string, summary: string, inputs: Record<string, unknown>): Decision {
  return { branch, procedure: 'BYE', outcome, summary, inputs, sessionId: w.s.id, servedUser: w.s.servedUser };
}
