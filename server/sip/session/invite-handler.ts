// INVITE as a B2BUA (SPEC §11.2, §11.4, §11.5): the shell gathers the facts (who sent it, the
// served user's registrations and sessions, the route), the engine decides (engine/invite): trust,
// dispatch, suitability and forking, failure codes, re-join (BYE-4-R-iii-2) and IWF join. This file
// carries the decision out: srf dialogs, SDP, the MSRP relay (D-163), legs wired to the runtime.
import { randomUUID } from 'node:crypto';
import type { Leg, LegKind } from '../../engine/model';
import { header } from '../../engine/message';
import type { EngineResult } from '../../engine/result';
import type { CpmService } from '../../engine/parse/feature-tags';
import type { InviteAction, InviteSource } from '../../engine/invite/invite';
import { clientSupportsImdn, newSession } from '../../engine/invite/new-session';
import type { Logger } from '../../log';
import { aorOf, parseNameAddr } from '../addresses';
import { clientRegistration } from '../client-registration';
import { viewFromRaw } from '../message-view';
import type { DecisionSink } from '../record-decisions';
import type { Registrar } from '../registrar';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import { Topology, type SourceClass, type TopologyPeer } from '../topology';
import { refuseHeld, wireLeg } from './leg-wiring';
import { appendMedia, mediaAfter, mediaProtocol, mLineCount } from './sdp';
import { MsrpCarrier } from './msrp-carrier';
import type { SessionRuntime } from './session-runtime';
import { dialogRef, type SrfDialog, type SrfDialogs } from './srf-dialog';
import { markSessionDeferredDelivered } from '../../store/deferred-queue';

export interface InviteDeps {
  srf: SrfDialogs;
  /** anchors the MSRP media of offers with a=path (D-163); without it SDP passes through */
  msrp?: MsrpCarrier;
  rt: SessionRuntime;
  topology: Topology;
  registrar: Registrar;
  isServed: (aor: string) => boolean;
  record: DecisionSink;
  log: Logger;
  now: () => number;
}

const PASSED_ON = ['Contribution-ID', 'Conversation-ID', 'Accept-Contact', 'P-Asserted-Service', 'Subject', 'User-Agent'];
const ACK_WAIT_MS = 2000;

const shortId = () => randomUUID().slice(0, 8);

export function inviteHandler(deps: InviteDeps) {
  return (req: SrfRequest, res: SrfResponseOut): void => {
    void handleInvite(deps, req, res).catch((err: Error) => {
      deps.log.error(`INVITE ${req.get('Call-ID')}: ${err.stack ?? err.message}`);
      deps.rt.deps.runner.release(res);
      if (!res.finished) res.send(500, 'Server Internal Error');
    });
  };
}

async function handleInvite(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut): Promise<void> {
  const now = deps.now();
  const src = deps.topology.classifySource({ host: req.source_address, port: req.source_port, from: req.get('From'), contact: req.get('Contact'), now });
  const view = viewFromRaw(req.msg.raw ?? req.msg.toString());
  const callId = header(view, 'call-id');
  const target = src.kind === 'CLIENT' ? undefined : (aorOf(req.uri) ?? aorOf(parseNameAddr(req.get('To') ?? '')?.uri ?? ''));
  const served = target !== undefined && deps.isServed(target);
  const user = src.kind === 'CLIENT' ? src.aor : served ? target : undefined;
  const txn = deps.rt.hold(res);
  const r = deps.rt.deps.state.engine.call('handleInvite', {
    input: {
      txn,
      request: view,
      trust: deps.topology.trust,
      source: sourceOf(src, req),
      ...(target !== undefined ? { target: { aor: target, served } } : {}),
      sessions: user ? deps.rt.openSessionsOf(user) : [],
      contacts: served && target ? deps.registrar.contacts(target, now).map((b) => ({ contact: b.contact, registration: clientRegistration(b) })) : [],
      ...(src.kind === 'CLIENT' ? { route: deps.topology.routeFor(req.uri) } : {}),
    },
    policy: deps.rt.deps.state.policy,
  });
  deps.record(r.decisions, { callId, now });
  await carryOut(deps, r, user ?? '', txn);
  const a: InviteAction = r.action;
  switch (a.kind) {
    case 'ANSWERED':
      return;
    case 'ORIGINATE':
      return originating(deps, req, res, txn, a.servedUser, a.peer);
    case 'REJOIN':
      return rejoin(deps, req, res, a.sessionId);
    case 'JOIN_IWF':
      return joinIwf(deps, req, res, txn, a.servedUser, a.sessionId, a.peer);
    case 'FORK':
      return terminating(deps, req, res, txn, a.servedUser, a.peer, a.targets, a.service);
    default: {
      const unhandled: never = a;
      throw new Error(`INVITE action ${(unhandled as InviteAction).kind} is not carried out`);
    }
  }
}

/** The topology's view of the sender, as the engine names it. */
function sourceOf(src: SourceClass, req: SrfRequest): InviteSource {
  if (src.kind === 'PEER') return { kind: 'PEER', peer: src.peer };
  if (src.kind === 'CLIENT') return src;
  return { kind: 'UNKNOWN', address: `${req.source_address}:${req.source_port}` };
}

/** Effects of an INVITE decision (its answers) through the PF's one interpreter. */
function carryOut(deps: InviteDeps, r: EngineResult, servedUser: string, txn: string): Promise<void> {
  return deps.rt.deps.runner.run(r.effects, { servedUser, sourceKey: txn });
}

function passedOn(req: SrfRequest): Record<string, string> {
  const h: Record<string, string> = {};
  for (const n of PASSED_ON) {
    const v = req.get(n);
    if (v !== undefined) h[n] = v;
  }
  return h;
}

function makeLeg(id: string, kind: LegKind, dialog: SrfDialog, localSdp: string, opts: { uac: boolean; device?: string; iwfSide?: 'REMOTE' | 'SERVED'; mLines?: number[]; userAgent?: string }): Leg {
  const mLines = opts.mLines ?? Array.from({ length: mLineCount(localSdp) }, (_, i) => i + 1);
  const leg: Leg = {
    id,
    kind,
    dialog: { ...dialogRef(dialog, opts.uac), remoteTarget: dialog.remote.uri },
    mediaStreams: mLines.map((mLine) => ({ mLine, protocol: mediaProtocol(localSdp) })),
    state: 'CONNECTED',
    suitable: kind === 'CLIENT',
    localSdp,
  };
  if (opts.device !== undefined) leg.device = opts.device;
  if (kind === 'IWF') leg.iwfSide = opts.iwfSide ?? 'REMOTE';
  if (kind === 'CLIENT') leg.supportsImdn = clientSupportsImdn(opts.userAgent);
  return leg;
}

function viewOf(req: SrfRequest) {
  return viewFromRaw(req.msg.raw ?? req.msg.toString());
}

/** The CF's conference URI: its Contact (a focus) with parameters dropped. */
function focusUri(req: SrfRequest): string | undefined {
  const c = parseNameAddr(req.get('Contact') ?? '');
  return c?.uri.split(';')[0];
}

/** 11.4-1: the invitation forked to the clients the engine chose; the first 2xx is answered upstream. */
async function terminating(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, txn: string, servedUser: string, peer: TopologyPeer, contacts: string[], service: CpmService): Promise<void> {
  const { rt, srf } = deps;
  const now = deps.now();
  const callId = req.get('Call-ID');
  const bindings = deps.registrar.contacts(servedUser, now);
  const targets = contacts.map((c) => bindings.find((b) => b.contact === c) ?? { contact: c, userAgent: undefined });
  const prefs = await rt.prefs(servedUser);
  const sessionId = randomUUID();
  const offer = req.body ?? '';
  // an MSRP stream with a=path: the PF anchors it, each client is offered the PF's endpoint (D-163)
  const offered = MsrpCarrier.offered(offer);
  const msrp = offered && deps.msrp?.open(sessionId, 'net', offered.path, service) ? deps.msrp : undefined;
  // the PF's own From tag on the client leg: a B2BUA never reuses the other dialog's tag
  const headers = { ...passedOn(req), From: `<${parseNameAddr(req.get('From') ?? '')?.uri ?? servedUser}>`, To: `<${servedUser}>` };
  const pending: Array<{ cancel(): void }> = [];
  let upstream = false;
  let cancelled = false;
  req.on('cancel', () => {
    cancelled = true;
    for (const p of pending) p.cancel();
  });

  const failures: number[] = [];
  await Promise.all(
    targets.map(async (b) => {
      // each device gets its own PF MSRP endpoint, so several can hold the session (D-164)
      const relayLeg = msrp?.addClient(sessionId);
      const clientOffer = msrp && relayLeg ? msrp.sdpFor(sessionId, relayLeg, offer, 'actpass') : offer;
      let d: SrfDialog;
      try {
        d = await srf.createUAC(b.contact, { headers, localSdp: clientOffer }, { cbRequest: (_e, r) => pending.push(r) });
      } catch (err) {
        if (relayLeg) msrp?.drop(sessionId, relayLeg);
        failures.push((err as { status?: number }).status ?? 408);
        return;
      }
      await rt.enqueue(sessionId, async () => {
        const clientLeg = makeLeg(`client-${shortId()}`, 'CLIENT', d, clientOffer, { uac: true, device: b.contact, userAgent: b.userAgent });
        const verdict = deps.rt.deps.state.engine.call('forkAnswered', { servedUser, callId, device: b.contact, cancelled, upstreamAnswered: upstream, session: rt.session(sessionId) });
        deps.record(verdict.decisions, { callId, now: deps.now() });
        if (verdict.action === 'HANG_UP') {
          if (relayLeg) msrp?.drop(sessionId, relayLeg);
          refuseHeld(d);
          await d.destroy();
          return;
        }
        if (verdict.action === 'ANSWER_UPSTREAM') {
          upstream = true;
          // the first device to answer decides whether the session's messages travel over MSRP
          let netAnswer = d.remote.sdp;
          let connectNet = () => {};
          if (msrp && offered && relayLeg && msrp.answered(sessionId, relayLeg, d.remote.sdp)) ({ sdp: netAnswer, connect: connectNet } = msrp.answerTo(sessionId, 'net', offered, d.remote.sdp));
          else msrp?.close(sessionId);
          rt.deps.runner.release(res); // answered by the dialog, not by an effect
          const uas = await srf.createUAS(req, res, { localSdp: netAnswer });
          connectNet();
          const s = newSession({ id: sessionId, servedUser, request: viewOf(req), peerRole: peer.role, groupUri: focusUri(req), prefs, peerUser: parseNameAddr(req.get('From') ?? '')?.uri });
          const netLeg = makeLeg(`${peer.role.toLowerCase().replace('_', '-')}-${shortId()}`, peer.role, uas, netAnswer, { uac: false, iwfSide: peer.iwfSide });
          if (relayLeg) msrp?.bind(sessionId, relayLeg, clientLeg.id);
          msrp?.bind(sessionId, 'net', netLeg.id);
          s.legs.push(netLeg, clientLeg);
          wireLeg(rt, srf, sessionId, netLeg.id, uas);
          wireLeg(rt, srf, sessionId, clientLeg.id, d);
          await rt.create(s);
          return;
        }
        const s = rt.session(sessionId);
        if (!s) throw new Error(`session ${sessionId} ended before the device joined it`);
        // a later device answering the fork joins the multi-device session (BYE-1b relies on it),
        // on its own MSRP relay leg when the session's media is anchored
        if (relayLeg && msrp?.has(sessionId) && msrp.answered(sessionId, relayLeg, d.remote.sdp)) msrp.bind(sessionId, relayLeg, clientLeg.id);
        else if (relayLeg) msrp?.drop(sessionId, relayLeg);
        wireLeg(rt, srf, sessionId, clientLeg.id, d);
        await rt.put({ ...s, legs: [...s.legs, clientLeg] });
      });
    }),
  );
  if (!upstream) msrp?.close(sessionId);
  if (!upstream && !res.finished) {
    const r = deps.rt.deps.state.engine.call('forkFailed', { txn, servedUser, callId, failures, cancelled });
    deps.record(r.decisions, { callId, now: deps.now() });
    await carryOut(deps, r, servedUser, txn);
  }
}

/** ORIG-1: a served client's own invitation, toward the peer the engine chose. */
async function originating(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, txn: string, servedUser: string, peer: TopologyPeer): Promise<void> {
  const { rt, srf } = deps;
  const sessionId = randomUUID();
  const clientOffer = req.body ?? '';
  // an MSRP stream with a=path: the PF anchors it, the network is offered the PF's endpoint (D-163)
  const offered = MsrpCarrier.offered(clientOffer);
  const msrp = offered && deps.msrp?.open(sessionId, 'client', offered.path) ? deps.msrp : undefined;
  const offer = msrp ? msrp.sdpFor(sessionId, 'net', clientOffer, 'actpass') : clientOffer;
  let uac: SrfDialog;
  try {
    uac = await srf.createUAC(req.uri, {
      proxy: Topology.targetOf(peer),
      headers: { ...passedOn(req), From: `<${servedUser}>`, To: req.get('To') ?? `<${req.uri}>`, 'P-Asserted-Identity': `<${servedUser}>` },
      localSdp: offer,
    });
  } catch (err) {
    msrp?.close(sessionId);
    const e = err as { status?: number; reason?: string };
    const r = deps.rt.deps.state.engine.call('originationFailed', { txn, servedUser, callId: req.get('Call-ID'), status: e.status, reason: e.reason });
    deps.record(r.decisions, { callId: req.get('Call-ID'), now: deps.now() });
    await carryOut(deps, r, servedUser, txn);
    return;
  }
  let clientAnswer = uac.remote.sdp;
  let connectClient = () => {};
  if (msrp && offered && msrp.answered(sessionId, 'net', uac.remote.sdp)) ({ sdp: clientAnswer, connect: connectClient } = msrp.answerTo(sessionId, 'client', offered, uac.remote.sdp));
  else msrp?.close(sessionId);
  rt.deps.runner.release(res); // answered by the dialog, not by an effect
  // the client has its 200 before the session is in state: a conference SUBSCRIBE it sends at
  // once waits for the rest of this (D-293)
  await rt.settingUpFor(servedUser, async () => {
    const uas = await srf.createUAS(req, res, { localSdp: clientAnswer });
    connectClient();
    const prefs = await rt.prefs(servedUser);
    const s = newSession({ id: sessionId, servedUser, request: viewOf(req), peerRole: peer.role, groupUri: req.uri.split(';')[0], prefs, peerUser: parseNameAddr(req.get('To') ?? '')?.uri ?? req.uri });
    const clientLeg = makeLeg(`client-${shortId()}`, 'CLIENT', uas, clientAnswer, { uac: false, device: parseNameAddr(req.get('Contact') ?? '')?.uri, userAgent: req.get('User-Agent') });
    const netLeg = makeLeg(`${peer.role.toLowerCase().replace('_', '-')}-${shortId()}`, peer.role, uac, offer, { uac: true, iwfSide: peer.iwfSide });
    msrp?.bind(sessionId, 'client', clientLeg.id);
    msrp?.bind(sessionId, 'net', netLeg.id);
    s.legs.push(clientLeg, netLeg);
    wireLeg(rt, srf, sessionId, clientLeg.id, uas);
    wireLeg(rt, srf, sessionId, netLeg.id, uac);
    await rt.create(s);
  });
}

/** BYE-4-R-iii-2: the new client dialog is answered with the kept CF leg's SDP, then the engine binds it. */
async function rejoin(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, sessionId: string): Promise<void> {
  const { rt, srf } = deps;
  const s = rt.session(sessionId)!;
  const far = s.legs.find((l) => (l.kind === 'CF' || l.kind === 'REMOTE_PF') && l.state === 'CONNECTED');
  const farDialog = far ? rt.dialogs.get(far.id) : undefined;
  // a returning MSRP client is bound to the kept relay: its new path, the PF's endpoint in the answer (D-163)
  const offered = MsrpCarrier.offered(req.body ?? '');
  const media = offered && farDialog ? deps.msrp?.rejoin(s.id, offered, farDialog.remote.sdp) : undefined;
  const answer = media?.sdp ?? farDialog?.remote.sdp ?? req.body ?? '';
  rt.deps.runner.release(res); // answered by the dialog, not by an effect
  const uas = await srf.createUAS(req, res, { localSdp: answer });
  media?.connect();
  // deferred items go out once the client has ACKed, so they never overtake the ACK
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ACK_WAIT_MS);
    uas.on('ack', () => {
      clearTimeout(t);
      resolve();
    });
  });
  const leg = makeLeg(`client-${shortId()}`, 'CLIENT', uas, media ? answer : farDialog?.remote.sdp ?? '', { uac: false, device: parseNameAddr(req.get('Contact') ?? '')?.uri, userAgent: req.get('User-Agent') });
  wireLeg(rt, srf, s.id, leg.id, uas);
  if (media) deps.msrp?.bind(s.id, media.leg, leg.id);
  await rt.bye(s.id, { kind: 'CLIENT_REJOINED', leg, requestUri: req.uri, contributionId: req.get('Contribution-ID') });
  await markSessionDeferredDelivered(rt.deps.db, s.id, new Date(deps.now()));
}

/**
 * A second remote-side IWF in an interworked session: its streams are appended to each client's
 * SDP by re-INVITE, and it is answered with the client's answer for those streams. The IWF leg
 * records which client-facing m-lines are its own, which is what BYE-3a removes.
 */
async function joinIwf(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, txn: string, servedUser: string, sessionId: string, peer: TopologyPeer): Promise<void> {
  const { rt, srf } = deps;
  await rt.enqueue(sessionId, async () => {
    const s = rt.session(sessionId);
    if (!s) {
      const r = deps.rt.deps.state.engine.call('iwfJoinLost', { txn, servedUser, callId: req.get('Call-ID'), sessionId });
      deps.record(r.decisions, { callId: req.get('Call-ID'), now: deps.now() });
      return carryOut(deps, r, servedUser, txn);
    }
    const clients = s.legs.filter((l) => l.kind === 'CLIENT' && l.state === 'CONNECTED');
    const offer = req.body ?? '';
    let answer = '';
    let first = 0;
    const legs = [...s.legs];
    for (const c of clients) {
      const d = rt.dialogs.get(c.id);
      if (!d) continue;
      const before = mLineCount(c.localSdp ?? '');
      const sdp = appendMedia(c.localSdp ?? '', offer);
      const remote = await (d as unknown as { modify(sdp: string): Promise<string> }).modify(sdp);
      if (!answer) {
        answer = mediaAfter(typeof remote === 'string' ? remote : d.remote.sdp, before);
        first = before;
      }
      legs[legs.indexOf(c)] = { ...c, localSdp: sdp };
    }
    rt.deps.runner.release(res); // answered by the dialog, not by an effect
    const uas = await srf.createUAS(req, res, { localSdp: answer || offer });
    const k = mLineCount(offer);
    const leg = makeLeg(`iwf-${shortId()}`, 'IWF', uas, answer || offer, { uac: false, iwfSide: peer.iwfSide, mLines: Array.from({ length: k }, (_, i) => first + i + 1) });
    wireLeg(rt, srf, s.id, leg.id, uas);
    await rt.put({ ...s, legs: [...legs, leg], interworked: true });
  });
}

