// An initial INVITE at the PF (SPEC §4 DSP, §11.2, §11.4, §11.5; BYE-4-R-iii-2): who may invite,
// which handler, which of the served user's clients are invited (suitability, forking), what the
// inviter hears when no client takes the session, a returning client bound to a session the PF
// stayed in, and a second IWF joined to an interworked session. The shell gathers the facts
// (source class, registrations, the user's sessions, the route) and carries out the action: the
// B2BUA mechanics (dialogs, SDP, MSRP) are the shell's; every choice here is recorded.
// Branch ids: INVITE-0 (trust), INVITE-1 (not served), DSP-* (dispatch, §4), 11.4-1 (fork),
// 11.4-2 (no suitable client), 11.4-3 (every fork failed), 11.4-4 (a device answers), 11.4-IWF
// (second IWF), BYE-4-R-iii-2 (re-join), ORIG-1/ORIG-2/ORIG-3 (a served client's own invitation).
import { decide, type Decision } from '../decision';
import { dispatch, reasonPhrase, type DspHandler } from '../dispatch/dispatch';
import type { Effect } from '../effects';
import { isUntagged, type ClientRegistration } from '../imdn/registration';
import { header, type SipMessageView } from '../message';
import type { CpmSession } from '../model';
import { CPM_ICSI, type CpmService } from '../parse/feature-tags';
import { sameResource } from '../parse/uri';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';

export type PeerRole = 'CF' | 'REMOTE_PF' | 'IWF';

export interface InvitePeer {
  role: PeerRole;
  name: string;
  address: string;
  iwfSide?: 'REMOTE' | 'SERVED';
}

/** Who sent the INVITE, as the shell's topology classified the packet's source. */
export type InviteSource = { kind: 'CLIENT'; aor: string } | { kind: 'PEER'; peer: InvitePeer } | { kind: 'UNKNOWN'; address: string };

export interface InviteContact {
  contact: string;
  registration: Pick<ClientRegistration, 'icsis'>;
}

export interface InviteInput {
  /** the server transaction of the INVITE (SEND_RESP answers it) */
  txn: string;
  request: SipMessageView;
  trust: 'open' | 'peers';
  source: InviteSource;
  /** terminating: the user the Request-URI (else To) names, and whether the PF serves them */
  target?: { aor: string; served: boolean };
  /**
   * the served user's sessions that are not RELEASED (terminating: the target's; originating: the
   * client's user's): an invitation joins an ACTIVE one or rejoins a REMAIN_DISCONNECTED one (D-311)
   */
  sessions: CpmSession[];
  /** terminating: the target's registered contacts, in registration order */
  contacts: InviteContact[];
  /** originating: the peer the topology routes the Request-URI to */
  route?: InvitePeer;
}

export type InviteAction =
  | { kind: 'ANSWERED' }
  | { kind: 'FORK'; servedUser: string; service: CpmService; targets: string[]; peer: InvitePeer }
  | { kind: 'ORIGINATE'; servedUser: string; peer: InvitePeer }
  | { kind: 'REJOIN'; servedUser: string; sessionId: string }
  | { kind: 'JOIN_IWF'; servedUser: string; sessionId: string; peer: InvitePeer };

export interface InviteResult extends EngineResult {
  action: InviteAction;
}

const SERVICE_OF: Partial<Record<DspHandler, CpmService>> = {
  '8.3.2.1': 'session',
  '8.3.3.1': 'filetransfer',
  '8.3.1.2': 'largemsg',
  '8.3.1.6.3': 'deferred',
};

type Ctx = { decisions: Decision[]; callId?: string; servedUser?: string };

function note(ctx: Ctx, branch: string, outcome: string, summary: string, inputs: Record<string, unknown>): void {
  ctx.decisions.push(decide({ branch, procedure: 'INVITE', outcome, summary, inputs, ...(ctx.servedUser ? { servedUser: ctx.servedUser } : {}), ...(ctx.callId ? { callId: ctx.callId } : {}) }));
}

function answer(ctx: Ctx, txn: string, code: number, reason = reasonPhrase(code)): InviteResult {
  return { action: { kind: 'ANSWERED' }, effects: [{ kind: 'SEND_RESP', txn, code, reason }], decisions: ctx.decisions };
}

/**
 * A contact is suitable for an invitation when its registration names the service's ICSI, or the
 * session ICSI for the other session-based services; a contact naming no CPM ICSI at all is
 * suitable when the provider says so (D-111).
 */
export function suitableForInvite(reg: Pick<ClientRegistration, 'icsis'>, service: CpmService, policy: Pick<Policy, 'untaggedClientsSuitable'>): boolean {
  if (isUntagged(reg)) return policy.untaggedClientsSuitable;
  return reg.icsis.includes(CPM_ICSI[service]) || (service !== 'session' && reg.icsis.includes(CPM_ICSI.session));
}

export function handleInvite(input: InviteInput, policy: Policy): InviteResult {
  const callId = header(input.request, 'call-id');
  const ctx: Ctx = { decisions: [], callId };
  const src = input.source;
  if (src.kind === 'UNKNOWN' && input.trust === 'peers') {
    note(ctx, 'INVITE-0', 'REJECT', `INVITE from ${src.address}, neither a registered client nor a configured peer, refused 403 (PF_TRUST=peers).`, { source: src.address, trust: input.trust });
    return answer(ctx, input.txn, 403);
  }
  if (src.kind === 'CLIENT') return originating(input, src.aor, ctx);

  if (!input.target?.served) {
    note(ctx, 'INVITE-1', 'REJECT', `The invitation names ${input.target?.aor ?? 'no user'}, whom this PF does not serve: 404.`, { target: input.target?.aor ?? null });
    return answer(ctx, input.txn, 404);
  }
  const servedUser = input.target.aor;
  ctx.servedUser = servedUser;
  const d = dispatch({ request: input.request, policy, txn: input.txn });
  ctx.decisions.push(...d.decisions.map((x) => ({ ...x, servedUser })));
  const service = d.handler === undefined ? undefined : SERVICE_OF[d.handler];
  if (service === undefined) {
    const resp = d.effects.find((e): e is Extract<Effect, { kind: 'SEND_RESP' }> => e.kind === 'SEND_RESP');
    if (resp) return { action: { kind: 'ANSWERED' }, effects: [resp], decisions: ctx.decisions };
    // DSP-8 PROXY (or a handler for no session service): a B2BUA cannot pass an INVITE on unchanged (D-144)
    note(ctx, 'DSP-8', 'REJECT', 'The invitation matches no session handler and this PF, a B2BUA, does not proxy invitations: 403.', { handler: d.handler ?? null, action: policy.unmatchedRequestAction });
    return answer(ctx, input.txn, 403);
  }
  // PF_TRUST=open: an unknown network sender is treated as the other user's PF
  const peer: InvitePeer = src.kind === 'PEER' ? src.peer : { role: 'REMOTE_PF', name: 'unknown', address: src.address };
  const contributionId = header(input.request, 'contribution-id');
  if (peer.role === 'IWF') {
    const joined = input.sessions.find(
      (s) => s.mode === 'ACTIVE' && contributionId !== undefined && s.contributionId === contributionId && s.legs.some((l) => l.kind === 'IWF' && l.state === 'CONNECTED'),
    );
    if (joined) {
      note(ctx, '11.4-IWF', 'JOIN_IWF', `A second IWF (${peer.name}) invites into interworked session ${joined.id} (same Contribution-ID): its streams are added to each client by re-INVITE.`, {
        contributionId,
        sessionId: joined.id,
        peer: peer.name,
      });
      return { action: { kind: 'JOIN_IWF', servedUser, sessionId: joined.id, peer }, effects: [], decisions: ctx.decisions };
    }
  }
  const judged = input.contacts.map((c) => ({ contact: c.contact, suitable: suitableForInvite(c.registration, service, policy), untagged: isUntagged(c.registration) }));
  const all = judged.filter((c) => c.suitable).map((c) => c.contact);
  const inputs = { service, contacts: judged, untaggedClientsSuitable: policy.untaggedClientsSuitable, directDeliveryToAllClients: policy.directDeliveryToAllClients };
  if (all.length === 0) {
    // 8.3.2.1 with no client: store-and-forward is not built (D-104), so the invitation is refused
    note(ctx, '11.4-2', 'REJECT', `None of ${servedUser}'s ${input.contacts.length} registered client(s) is suitable for ${service}: 480 (accepting on the user's behalf is not offered, D-104).`, inputs);
    return answer(ctx, input.txn, 480);
  }
  const targets = policy.directDeliveryToAllClients ? all : [all[all.length - 1]];
  note(
    ctx,
    '11.4-1',
    'FORK',
    policy.directDeliveryToAllClients
      ? `The invitation is forked to all ${targets.length} suitable client(s) of ${servedUser} (directDeliveryToAllClients).`
      : `The invitation goes to ${servedUser}'s most recently registered suitable client (directDeliveryToAllClients is off).`,
    { ...inputs, targets },
  );
  return { action: { kind: 'FORK', servedUser, service, targets, peer }, effects: [], decisions: ctx.decisions };
}

function originating(input: InviteInput, servedUser: string, ctx: Ctx): InviteResult {
  ctx.servedUser = servedUser;
  const uri = input.request.uri ?? '';
  const contributionId = header(input.request, 'contribution-id');
  const kept = input.sessions.find(
    (s) => s.mode === 'REMAIN_DISCONNECTED' && ((s.groupSessionIdentity !== undefined && sameResource(uri, s.groupSessionIdentity)) || (contributionId !== undefined && contributionId === s.contributionId)),
  );
  if (kept) {
    note(ctx, 'BYE-4-R-iii-2', 'REJOIN', `A client of ${servedUser} returns to session ${kept.id}, which the PF kept with the far side: the new dialog is bound to the kept leg; no INVITE goes to the network.`, {
      requestUri: uri,
      contributionId: contributionId ?? null,
      groupSessionIdentity: kept.groupSessionIdentity ?? null,
      sessionId: kept.id,
    });
    return { action: { kind: 'REJOIN', servedUser, sessionId: kept.id }, effects: [], decisions: ctx.decisions };
  }
  if (!input.route) {
    note(ctx, 'ORIG-2', 'REJECT', `No peer of the topology takes ${uri}: 404.`, { requestUri: uri });
    return answer(ctx, input.txn, 404, 'No route to the network');
  }
  note(ctx, 'ORIG-1', 'ORIGINATE', `${servedUser}'s invitation goes to ${input.route.role} ${input.route.name}.`, { requestUri: uri, peer: input.route.name, role: input.route.role });
  return { action: { kind: 'ORIGINATE', servedUser, peer: input.route }, effects: [], decisions: ctx.decisions };
}

/** What the far side answered a served client's invitation with, when it was not a 2xx. */
export function originationFailed(f: { txn: string; servedUser: string; callId?: string; status?: number; reason?: string }): EngineResult {
  const ctx: Ctx = { decisions: [], callId: f.callId, servedUser: f.servedUser };
  const code = f.status ?? 500;
  note(ctx, 'ORIG-3', 'RELAY_FAILURE', f.status === undefined ? 'The invitation could not be sent toward the network: 500.' : `The network answered the invitation ${f.status}; the client gets the same answer.`, { status: f.status ?? null });
  return { effects: [{ kind: 'SEND_RESP', txn: f.txn, code, reason: f.reason ?? reasonPhrase(code) }], decisions: ctx.decisions };
}

/** A forked client answered 2xx: the first carries the session upstream, later ones join it, late ones are hung up. */
export function forkAnswered(f: { servedUser: string; callId?: string; device: string; cancelled: boolean; upstreamAnswered: boolean; session?: Pick<CpmSession, 'id' | 'mode'> }): {
  action: 'ANSWER_UPSTREAM' | 'JOIN_SESSION' | 'HANG_UP';
  decisions: Decision[];
} {
  const ctx: Ctx = { decisions: [], callId: f.callId, servedUser: f.servedUser };
  const inputs = { device: f.device, cancelled: f.cancelled, upstreamAnswered: f.upstreamAnswered, sessionMode: f.session?.mode ?? null };
  if (f.cancelled) {
    note(ctx, '11.4-4', 'HANG_UP', `${f.device} answered after the inviter cancelled: its dialog is ended.`, inputs);
    return { action: 'HANG_UP', decisions: ctx.decisions };
  }
  if (!f.upstreamAnswered) {
    note(ctx, '11.4-4', 'ANSWER_UPSTREAM', `${f.device} answered first: the invitation is answered with its SDP and the session starts.`, inputs);
    return { action: 'ANSWER_UPSTREAM', decisions: ctx.decisions };
  }
  if (f.session?.mode === 'ACTIVE') {
    note(ctx, '11.4-4', 'JOIN_SESSION', `${f.device} answered too: it joins session ${f.session.id} as another device (BYE-1b relies on it).`, inputs);
    return { action: 'JOIN_SESSION', decisions: ctx.decisions };
  }
  note(ctx, '11.4-4', 'HANG_UP', `${f.device} answered after the session ended: its dialog is ended.`, inputs);
  return { action: 'HANG_UP', decisions: ctx.decisions };
}

/**
 * No forked client took the session: 487 when the inviter cancelled, else 486 when a client was
 * busy, else the first other final failure (a timeout or a cancelled fork says nothing), else 480.
 */
export function forkFailed(f: { txn: string; servedUser: string; callId?: string; failures: number[]; cancelled: boolean }): EngineResult {
  const ctx: Ctx = { decisions: [], callId: f.callId, servedUser: f.servedUser };
  const code = f.cancelled ? 487 : f.failures.includes(486) ? 486 : (f.failures.find((c) => c >= 400 && c !== 487 && c !== 408) ?? 480);
  note(ctx, '11.4-3', 'REJECT', f.cancelled ? 'The inviter cancelled before any client answered: 487.' : `No client of ${f.servedUser} took the session (answers ${f.failures.join(', ') || 'none'}): ${code}.`, {
    failures: f.failures,
    cancelled: f.cancelled,
  });
  return { effects: [{ kind: 'SEND_RESP', txn: f.txn, code, reason: reasonPhrase(code) }], decisions: ctx.decisions };
}

/** The session a second IWF was to join ended while the join waited its turn: 481. */
export function iwfJoinLost(f: { txn: string; servedUser: string; callId?: string; sessionId: string }): EngineResult {
  const ctx: Ctx = { decisions: [], callId: f.callId, servedUser: f.servedUser };
  note(ctx, '11.4-IWF', 'REJECT', `Session ${f.sessionId} ended before the IWF could join it: 481.`, { sessionId: f.sessionId });
  return { effects: [{ kind: 'SEND_RESP', txn: f.txn, code: 481, reason: reasonPhrase(481) }], decisions: ctx.decisions };
}
