// INVITE as a B2BUA (SPEC §11.2, §11.4, §11.5): terminating invitations are dispatched (DSP) and
// forked to the served user's suitable clients; a client's own invitation goes to the network
// peer the topology names; a client returning to a group the PF stayed in is bound to the kept
// CF leg (BYE-4-R-iii-2); a second IWF in an interworked session is joined by re-INVITE.
import { randomUUID } from 'node:crypto';
import type { DspHandler } from '../../engine/dispatch/dispatch';
import type { CpmSession, Leg, LegKind } from '../../engine/model';
import { emptyRoster } from '../../engine/participants/roster';
import { header } from '../../engine/message';
import type { CpmService } from '../../engine/parse/feature-tags';
import { CPM_ICSI } from '../../engine/parse/feature-tags';
import type { Logger } from '../../log';
import { aorOf, parseNameAddr, sameUri } from '../addresses';
import { clientRegistration } from '../client-registration';
import { isUntagged } from '../../engine/imdn/registration';
import type { Policy } from '../../engine/policy';
import { viewFromRaw } from '../message-view';
import type { DecisionSink } from '../record-decisions';
import type { Binding, Registrar } from '../registrar';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import { Topology, type TopologyPeer } from '../topology';
import { wireLeg } from './leg-wiring';
import { appendMedia, mediaAfter, mediaProtocol, mLineCount } from './sdp';
import { MsrpCarrier } from './msrp-carrier';
import type { SessionRuntime } from './session-runtime';
import { dialogRef, type SrfDialog, type SrfDialogs } from './srf-dialog';

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

const SERVICE_OF: Partial<Record<DspHandler, CpmService>> = {
  '8.3.2.1': 'session',
  '8.3.3.1': 'filetransfer',
  '8.3.1.2': 'largemsg',
  '8.3.1.6.3': 'deferred',
};
const PASSED_ON = ['Contribution-ID', 'Conversation-ID', 'Accept-Contact', 'P-Asserted-Service', 'Subject', 'User-Agent'];
const ACK_WAIT_MS = 2000;

const shortId = () => randomUUID().slice(0, 8);

export function inviteHandler(deps: InviteDeps) {
  return (req: SrfRequest, res: SrfResponseOut): void => {
    void handleInvite(deps, req, res).catch((err: Error) => {
      deps.log.error(`INVITE ${req.get('Call-ID')}: ${err.stack ?? err.message}`);
      if (!res.finished) res.send(500, 'Server Internal Error');
    });
  };
}

async function handleInvite(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut): Promise<void> {
  const now = deps.now();
  // an initial INVITE is rare next to MESSAGEs: re-reading the peers keeps console edits live
  if (!req.get('To')?.match(/;\s*tag=/i)) await deps.topology.reload(deps.rt.deps.db);
  const src = deps.topology.classifySource({ host: req.source_address, port: req.source_port, from: req.get('From'), contact: req.get('Contact'), now });
  if (!deps.topology.admits(src)) {
    res.send(403, 'Forbidden');
    return;
  }
  if (src.kind === 'CLIENT') return originating(deps, req, res, src.aor);

  const servedUser = aorOf(req.uri) ?? aorOf(parseNameAddr(req.get('To') ?? '')?.uri ?? '');
  if (!servedUser || !deps.isServed(servedUser)) {
    res.send(404, 'Not Found');
    return;
  }
  const view = viewFromRaw(req.msg.raw ?? req.msg.toString());
  const callId = header(view, 'call-id');
  const d = deps.rt.deps.state.engine.call('dispatch', { request: view, policy: deps.rt.deps.state.policy });
  deps.record(d.decisions.map((x) => ({ ...x, servedUser })), { callId, now });
  if (d.handler === undefined || SERVICE_OF[d.handler] === undefined) {
    const r = d.effects.find((e) => e.kind === 'SEND_RESP');
    res.send(r?.kind === 'SEND_RESP' ? r.code : 403, r?.kind === 'SEND_RESP' ? r.reason : 'Forbidden');
    return;
  }
  // PF_TRUST=open: an unknown network sender is treated as the other user's PF
  const peer: TopologyPeer = src.kind === 'PEER' ? src.peer : { role: 'REMOTE_PF', name: 'unknown', address: `${req.source_address}:${req.source_port}` };
  const contributionId = req.get('Contribution-ID');
  if (peer.role === 'IWF') {
    const joined = deps.rt.sessionsOf(servedUser).find((s) => s.mode === 'ACTIVE' && contributionId !== undefined && s.contributionId === contributionId && s.legs.some((l) => l.kind === 'IWF' && l.state === 'CONNECTED'));
    if (joined) return joinIwf(deps, req, res, joined, peer);
  }
  await terminating(deps, req, res, servedUser, peer, SERVICE_OF[d.handler]!);
}

/** Contacts whose registration names the service's ICSI; a contact naming no CPM ICSI at all is suitable when the provider says so (D-111). */
function suitable(b: Binding, service: CpmService, policy: Pick<Policy, 'untaggedClientsSuitable'>): boolean {
  const reg = clientRegistration(b);
  if (isUntagged(reg)) return policy.untaggedClientsSuitable;
  return reg.icsis.includes(CPM_ICSI[service]) || (service !== 'session' && reg.icsis.includes(CPM_ICSI.session));
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
  if (kind === 'CLIENT') leg.supportsImdn = !/\bCPM-client\/OMA1\.0\b/i.test(opts.userAgent ?? '');
  return leg;
}

function newSession(id: string, servedUser: string, req: SrfRequest, peer: TopologyPeer, groupUri: string | undefined, historyFolder: boolean, peerUser?: string): CpmSession {
  const callId = req.get('Call-ID') ?? id;
  return {
    ...(peer.role !== 'CF' && peerUser !== undefined ? { peerUser } : {}),
    id,
    servedUser,
    type: peer.role === 'CF' ? 'GROUP' : 'ONE_TO_ONE',
    conversationId: req.get('Conversation-ID') ?? callId,
    contributionId: req.get('Contribution-ID') ?? callId,
    ...(peer.role === 'CF' && groupUri ? { groupSessionIdentity: groupUri, groupType: 'Closed' as const } : {}),
    legs: [],
    interworked: peer.role === 'IWF',
    usesSessionHistoryFolder: historyFolder,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: emptyRoster(),
    isComposingFrom: [],
    isComposingSentByServedClients: false,
  };
}

/** The CF's conference URI: its Contact (a focus) with parameters dropped. */
function focusUri(req: SrfRequest): string | undefined {
  const c = parseNameAddr(req.get('Contact') ?? '');
  return c?.uri.split(';')[0];
}

async function terminating(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, servedUser: string, peer: TopologyPeer, service: CpmService): Promise<void> {
  const { rt, srf } = deps;
  const now = deps.now();
  const policy = rt.deps.state.policy;
  const all = deps.registrar.contacts(servedUser, now).filter((b) => suitable(b, service, policy));
  if (all.length === 0) {
    // 8.3.2.1 with no client: store-and-forward is not built yet (DECISIONS D-104), so the invitation is refused
    res.send(480, 'Temporarily Unavailable');
    return;
  }
  const targets = policy.directDeliveryToAllClients ? all : [all[all.length - 1]];
  const prefs = await rt.prefs(servedUser);
  const sessionId = randomUUID();
  const offer = req.body ?? '';
  // an MSRP stream with a=path: the PF anchors it, each client is offered the PF's endpoint (D-163)
  const offered = MsrpCarrier.offered(offer);
  const msrp = offered && deps.msrp?.open(sessionId, 'net', offered.path) ? deps.msrp : undefined;
  const clientOffer = msrp ? msrp.sdpFor(sessionId, 'client', offer, 'actpass') : offer;
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
      let d: SrfDialog;
      try {
        d = await srf.createUAC(b.contact, { headers, localSdp: clientOffer }, { cbRequest: (_e, r) => pending.push(r) });
      } catch (err) {
        failures.push((err as { status?: number }).status ?? 408);
        return;
      }
      await rt.enqueue(sessionId, async () => {
        const clientLeg = makeLeg(`client-${shortId()}`, 'CLIENT', d, clientOffer, { uac: true, device: b.contact, userAgent: b.userAgent });
        if (cancelled) {
          await d.destroy();
          return;
        }
        if (!upstream) {
          upstream = true;
          // the first client to answer carries the session's MSRP (later devices keep SIP signalling only)
          let netAnswer = d.remote.sdp;
          let connectNet = () => {};
          if (msrp && offered && msrp.answered(sessionId, 'client', d.remote.sdp)) ({ sdp: netAnswer, connect: connectNet } = msrp.answerTo(sessionId, 'net', offered, d.remote.sdp));
          else msrp?.close(sessionId);
          const uas = await srf.createUAS(req, res, { localSdp: netAnswer });
          connectNet();
          const s = newSession(sessionId, servedUser, req, peer, focusUri(req), prefs.allowOfflineStorage || prefs.allowStore, parseNameAddr(req.get('From') ?? '')?.uri);
          const netLeg = makeLeg(`${peer.role.toLowerCase().replace('_', '-')}-${shortId()}`, peer.role, uas, netAnswer, { uac: false, iwfSide: peer.iwfSide });
          msrp?.bind(sessionId, 'client', clientLeg.id);
          msrp?.bind(sessionId, 'net', netLeg.id);
          s.legs.push(netLeg, clientLeg);
          wireLeg(rt, srf, sessionId, netLeg.id, uas);
          wireLeg(rt, srf, sessionId, clientLeg.id, d);
          await rt.put(s);
          return;
        }
        const s = rt.session(sessionId);
        if (!s || s.mode !== 'ACTIVE') {
          await d.destroy();
          return;
        }
        // a later device answering the fork joins the multi-device session (BYE-1b relies on it)
        wireLeg(rt, srf, sessionId, clientLeg.id, d);
        await rt.put({ ...s, legs: [...s.legs, clientLeg] });
      });
    }),
  );
  if (!upstream) msrp?.close(sessionId);
  if (!upstream && !res.finished) {
    const code = failures.includes(486) ? 486 : failures.find((c) => c >= 400 && c !== 487 && c !== 408) ?? 480;
    res.send(cancelled ? 487 : code);
  }
}

async function originating(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, servedUser: string): Promise<void> {
  const { rt, srf } = deps;
  const contributionId = req.get('Contribution-ID');
  const kept = rt.sessionsOf(servedUser).find(
    (s) => s.mode === 'REMAIN_DISCONNECTED' && ((s.groupSessionIdentity !== undefined && sameUri(req.uri, s.groupSessionIdentity)) || (contributionId !== undefined && contributionId === s.contributionId)),
  );
  if (kept) return rejoin(deps, req, res, kept);
  const peer = deps.topology.routeFor(req.uri);
  if (!peer) {
    res.send(404, 'No route to the network');
    return;
  }
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
    res.send(e.status ?? 500, e.reason ?? 'Server Internal Error');
    return;
  }
  let clientAnswer = uac.remote.sdp;
  let connectClient = () => {};
  if (msrp && offered && msrp.answered(sessionId, 'net', uac.remote.sdp)) ({ sdp: clientAnswer, connect: connectClient } = msrp.answerTo(sessionId, 'client', offered, uac.remote.sdp));
  else msrp?.close(sessionId);
  const uas = await srf.createUAS(req, res, { localSdp: clientAnswer });
  connectClient();
  const prefs = await rt.prefs(servedUser);
  const s = newSession(sessionId, servedUser, req, peer, req.uri.split(';')[0], prefs.allowOfflineStorage || prefs.allowStore, parseNameAddr(req.get('To') ?? '')?.uri ?? req.uri);
  const clientLeg = makeLeg(`client-${shortId()}`, 'CLIENT', uas, clientAnswer, { uac: false, device: parseNameAddr(req.get('Contact') ?? '')?.uri, userAgent: req.get('User-Agent') });
  const netLeg = makeLeg(`${peer.role.toLowerCase().replace('_', '-')}-${shortId()}`, peer.role, uac, offer, { uac: true, iwfSide: peer.iwfSide });
  msrp?.bind(sessionId, 'client', clientLeg.id);
  msrp?.bind(sessionId, 'net', netLeg.id);
  s.legs.push(clientLeg, netLeg);
  wireLeg(rt, srf, sessionId, clientLeg.id, uas);
  wireLeg(rt, srf, sessionId, netLeg.id, uac);
  await rt.put(s);
}

/** BYE-4-R-iii-2: the new client dialog is answered with the kept CF leg's SDP, then the engine binds it. */
async function rejoin(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, s: CpmSession): Promise<void> {
  const { rt, srf } = deps;
  const far = s.legs.find((l) => (l.kind === 'CF' || l.kind === 'REMOTE_PF') && l.state === 'CONNECTED');
  const farDialog = far ? rt.dialogs.get(far.id) : undefined;
  // a returning MSRP client is bound to the kept relay: its new path, the PF's endpoint in the answer (D-163)
  const offered = MsrpCarrier.offered(req.body ?? '');
  const media = offered && farDialog ? deps.msrp?.rejoin(s.id, offered, farDialog.remote.sdp) : undefined;
  const answer = media?.sdp ?? farDialog?.remote.sdp ?? req.body ?? '';
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
  if (media) deps.msrp?.bind(s.id, 'client', leg.id);
  await rt.bye(s.id, { kind: 'CLIENT_REJOINED', leg, requestUri: req.uri, contributionId: req.get('Contribution-ID') });
  await rt.deps.db.deferredItem.updateMany({ where: { sessionId: s.id, deliveredAt: null }, data: { deliveredAt: new Date(deps.now()) } });
}

/**
 * A second remote-side IWF in an interworked session: its streams are appended to each client's
 * SDP by re-INVITE, and it is answered with the client's answer for those streams. The IWF leg
 * records which client-facing m-lines are its own, which is what BYE-3a removes.
 */
async function joinIwf(deps: InviteDeps, req: SrfRequest, res: SrfResponseOut, s0: CpmSession, peer: TopologyPeer): Promise<void> {
  const { rt, srf } = deps;
  await rt.enqueue(s0.id, async () => {
    const s = rt.session(s0.id);
    if (!s) return void res.send(481);
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
    const uas = await srf.createUAS(req, res, { localSdp: answer || offer });
    const k = mLineCount(offer);
    const leg = makeLeg(`iwf-${shortId()}`, 'IWF', uas, answer || offer, { uac: false, iwfSide: peer.iwfSide, mLines: Array.from({ length: k }, (_, i) => first + i + 1) });
    wireLeg(rt, srf, s.id, leg.id, uas);
    await rt.put({ ...s, legs: [...legs, leg], interworked: true });
  });
}

