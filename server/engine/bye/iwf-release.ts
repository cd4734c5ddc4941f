// BYE-3 (SPEC §5.5): a remote-side IWF hung up. With several IWFs and IWF_STREAMS_ONLY only its
// streams are removed by re-INVITE (3a, with 491 glare retry and fallback, AMB-17); else the
// whole session closes (3b).
import { sendAck, sendBye, sendReinvite } from './build-request';
import { connectedClients, connectedServedSide, cpmPeers, legById, prefsInputs, remoteIwfs, type Work } from './bye-state';
import { TIMER_REINVITE_RETRY } from './inputs';
import { sessionTimer } from '../effects';
import { decision, startRelay } from './relay';
import { disableMLines } from './sdp';
import type { ByeOrigin, LossOrigin } from './user-leave';

export function iwfRelease(w: Work, o: LossOrigin): void {
  const { policy } = w.ctx;
  const { src } = o;
  const iwfs = remoteIwfs(w);
  if (iwfs.length > 1 && policy.iwfByeScope === 'IWF_STREAMS_ONLY') {
    removeStreams(w, o);
    return;
  }
  w.decisions.push(decision(w, 'BYE-3b', 'CLOSE_SESSION', iwfs.length > 1
    ? 'Policy closes the whole session when one of several IWFs hangs up.'
    : 'The only IWF hung up, so the whole session closes.', { remoteIwfs: iwfs.map((l) => l.id), iwfByeScope: policy.iwfByeScope }));
  src.state = 'TERMINATED';
  closeWholeSession(w, { srcLeg: src.id, txn: o.txn, okHeaders: o.okHeaders, reasonValues: o.reasonValues, answered: false });
}

interface CloseArgs {
  srcLeg: string;
  txn?: string;
  okHeaders: ByeOrigin['okHeaders'];
  reasonValues: string[];
  answered: boolean;
}

function closeWholeSession(w: Work, a: CloseArgs): void {
  const { prefs } = w.ctx;
  if (prefs.allowOfflineStorage) {
    w.effects.push({ kind: 'RECORD_SESSION', sessionId: w.s.id });
    w.decisions.push(decision(w, 'BYE-3b-ii', 'RECORD_SESSION', 'allow-offline-storage is on, so the session is recorded before the clients are released.', prefsInputs(prefs)));
  } else {
    w.decisions.push(decision(w, 'BYE-3b-ii', 'NO_RECORD', 'allow-offline-storage is off, so the session is not recorded.', prefsInputs(prefs)));
  }
  // BYE-3b-i: the served user's side, its clients and any IWF acting for it (D-140)
  const clients = connectedServedSide(w, a.srcLeg);
  for (const c of clients) sendBye(w, c, a.reasonValues);
  const others = remoteIwfs(w, a.srcLeg);
  if (others.length > 0) {
    w.decisions.push(decision(w, 'BYE-3b-v', 'BYE_OTHER_IWFS', `The other IWFs (${others.map((l) => l.id).join(', ')}) are released too.`, { otherIwfs: others.map((l) => l.id) }));
    for (const l of others) sendBye(w, l, a.reasonValues);
  }
  // AMB-4: a CPM peer in an interworked session is a leg of the session like any other (D-141)
  const peers = cpmPeers(w);
  if (peers.length > 0) {
    w.decisions.push(decision(w, 'AMB-4', 'BYE_CPM_PEERS', `The session closes, so ${peers.map((l) => `${l.id} (${l.kind})`).join(', ')} get a BYE too.`, { cpmPeers: peers.map((l) => l.id) }));
    for (const l of peers) sendBye(w, l, a.reasonValues);
  }
  const fallback = a.txn === undefined;
  startRelay(w, {
    branch: fallback ? 'BYE-3a-fail' : 'BYE-3b',
    srcLeg: a.srcLeg,
    txn: a.txn,
    answered: a.answered,
    okHeaders: a.okHeaders,
    // the IWF that hung up waits only for the clients; the fallback has nobody to answer, so it waits for all
    waitFor: (fallback ? [...clients, ...others, ...peers] : clients).map((l) => l.id),
    reasonValues: a.reasonValues,
  });
}

function removeStreams(w: Work, o: LossOrigin): void {
  const { src } = o;
  const mLines = src.mediaStreams.map((m) => m.mLine);
  const clients = connectedClients(w);
  w.s.bye.streams = { iwfLeg: src.id, mLines, clients: {}, reasonValues: o.reasonValues };
  for (const c of clients) {
    sendReinvite(w, c, disableMLines(c.localSdp ?? '', mLines));
    w.s.bye.streams.clients[c.id] = { state: 'SENT', retries: 0 };
  }
  if (o.txn !== undefined) w.effects.push({ kind: 'SEND_RESP', txn: o.txn, code: 200, reason: 'OK', headers: o.okHeaders });
  w.effects.push({ kind: 'STOP_MEDIA', legs: [src.id] });
  src.state = 'TERMINATED';
  w.decisions.push(decision(w, 'BYE-3a', 'REMOVE_STREAMS', `Only ${src.id}'s streams (m-line ${mLines.join(', ')}) are removed by re-INVITE to ${clients.map((l) => l.id).join(', ') || 'no client'}; its resources are freed after the client accepts.`, {
    remoteIwfs: remoteIwfs(w).map((l) => l.id).concat(src.id),
    iwfByeScope: w.ctx.policy.iwfByeScope,
    mLines,
  }));
  if (clients.length === 0) finishStreams(w);
}

function finishStreams(w: Work): void {
  const st = w.s.bye.streams;
  if (st === undefined) return;
  w.effects.push({ kind: 'RELEASE_MEDIA', legs: [st.iwfLeg] });
  w.decisions.push(decision(w, 'BYE-3a-ok', 'RELEASE', `The client accepted the re-INVITE; ${st.iwfLeg}'s resources are released and the session continues.`, { iwfLeg: st.iwfLeg }));
  w.s.bye.streams = undefined;
}

/** RFC 3261 §14.1 back-off, in 10 ms steps. */
export function glareDelayMs(callIdGeneratedLocally: boolean, random: number): number {
  const r = Math.min(Math.max(random, 0), 0.999999);
  return callIdGeneratedLocally ? 2100 + 10 * Math.floor(r * 191) : 10 * Math.floor(r * 201);
}

/** A final answer to a re-INVITE of BYE-3a. Returns false when no such re-INVITE is outstanding. */
export function reinviteAnswered(w: Work, legId: string, status: number): boolean {
  const st = w.s.bye.streams;
  const attempt = st?.clients[legId];
  const out = w.s.bye.outstanding[legId];
  if (st === undefined || attempt === undefined || attempt.state !== 'SENT' || out?.method !== 'INVITE') return false;
  if (status < 200) return true;
  delete w.s.bye.outstanding[legId];
  const leg = legById(w, legId);
  const { policy } = w.ctx;
  if (status >= 200 && status < 300) {
    if (leg !== undefined) sendAck(w, leg, out.cseq);
    attempt.state = 'DONE';
    if (Object.values(st.clients).every((c) => c.state === 'DONE')) finishStreams(w);
    return true;
  }
  if (status === 491 && attempt.retries < policy.reinviteGlareRetries) {
    attempt.retries++;
    attempt.state = 'RETRY_WAIT';
    const ms = glareDelayMs(leg?.dialog.callIdGeneratedLocally === true, w.ctx.random);
    const alreadyWaiting = Object.entries(st.clients).some(([id, c]) => id !== legId && c.state === 'RETRY_WAIT');
    if (!alreadyWaiting) w.effects.push({ kind: 'START_TIMER', timer: sessionTimer(w.s.id, TIMER_REINVITE_RETRY), ms });
    w.decisions.push(decision(w, 'BYE-3a-491', 'RETRY', `${legId} had a re-INVITE of its own in progress (491); the PF retries after a random back-off (${ms} ms).`, {
      legId,
      retry: attempt.retries,
      reinviteGlareRetries: policy.reinviteGlareRetries,
      callIdGeneratedLocally: leg?.dialog.callIdGeneratedLocally === true,
      delayMs: ms,
    }));
    return true;
  }
  w.decisions.push(decision(w, 'BYE-3a-fail', 'FALLBACK', status === 491
    ? `${legId} answered 491 again after ${attempt.retries} retr${attempt.retries === 1 ? 'y' : 'ies'}; the whole session is closed instead.`
    : `${legId} refused the re-INVITE (${status}); the whole session is closed instead.`, {
    legId,
    status,
    retries: attempt.retries,
    reinviteGlareRetries: policy.reinviteGlareRetries,
  }));
  const waiting = Object.values(st.clients).some((c) => c.state === 'RETRY_WAIT');
  if (waiting) w.effects.push({ kind: 'CANCEL_TIMER', timer: sessionTimer(w.s.id, TIMER_REINVITE_RETRY) });
  w.s.bye.streams = undefined;
  closeWholeSession(w, { srcLeg: st.iwfLeg, okHeaders: {}, reasonValues: st.reasonValues, answered: true });
  return true;
}

export function reinviteRetryTimer(w: Work): boolean {
  const st = w.s.bye.streams;
  if (st === undefined) return false;
  for (const [id, c] of Object.entries(st.clients)) {
    if (c.state !== 'RETRY_WAIT') continue;
    const leg = legById(w, id);
    if (leg === undefined || leg.state !== 'CONNECTED') continue;
    // rebuilt from the leg's current SDP: a new version, the same streams off
    sendReinvite(w, leg, disableMLines(leg.localSdp ?? '', st.mLines));
    c.state = 'SENT';
    w.decisions.push(decision(w, 'BYE-3a-491', 'RESEND', `The re-INVITE to ${id} is sent again with a new CSeq (retry ${c.retries}).`, { legId: id, retry: c.retries }));
  }
  return true;
}
