// The INVITE procedure (issue 14): trust, dispatch, suitability and forking, failure codes,
// re-join and IWF join are engine decisions, each explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forkAnswered, forkFailed, handleInvite, originationFailed, suitableForInvite, type InviteContact, type InviteInput } from './invite';
import { clientSupportsImdn, newSession } from './new-session';
import { withPolicy } from '../policy';
import type { SipMessageView } from '../message';
import type { CpmSession, Leg } from '../model';
import { CPM_ICSI, type CpmService } from '../parse/feature-tags';
import { emptyRoster } from '../participants/roster';

const ALICE = 'sip:alice@ims.alpha.example';
const enc = (svc: string) => `urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.${svc}`;

function invite(svc: string, extra: Record<string, string> = {}, uri = ALICE): SipMessageView {
  const headers: Record<string, string[]> = {
    'call-id': ['inv-1'],
    from: ['<sip:bob@ims.beta.example>;tag=b1'],
    to: [`<${ALICE}>`],
    'accept-contact': [`*;+g.3gpp.icsi-ref="${enc(svc)}"`],
  };
  for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = [v];
  return { method: 'INVITE', uri, headers, body: '' };
}

const REMOTE_PF = { role: 'REMOTE_PF' as const, name: 'bob-pf', address: '192.0.2.20:5060' };
const IWF = { role: 'IWF' as const, name: 'sms-iwf', address: '192.0.2.30:5060' };

function terminating(extra: Partial<InviteInput> = {}): InviteInput {
  return {
    txn: 't1',
    request: invite('session'),
    trust: 'peers',
    source: { kind: 'PEER', peer: REMOTE_PF },
    target: { aor: ALICE, served: true },
    sessions: [],
    contacts: [{ contact: 'sip:a1@192.0.2.1', registration: { icsis: [CPM_ICSI.session] } }],
    ...extra,
  };
}

function leg(id: string, kind: Leg['kind'], state: Leg['state'] = 'CONNECTED'): Leg {
  return { id, kind, state, suitable: kind === 'CLIENT', mediaStreams: [], dialog: { callId: id, localTag: 'l', remoteTag: 'r', remoteTarget: 'sip:x', cseq: 1 } as Leg['dialog'] };
}

function session(extra: Partial<CpmSession> = {}): CpmSession {
  return {
    id: 'S1',
    servedUser: ALICE,
    type: 'GROUP',
    conversationId: 'conv-1',
    contributionId: 'contrib-1',
    legs: [leg('cf-1', 'CF')],
    interworked: false,
    usesSessionHistoryFolder: false,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: emptyRoster(),
    isComposingFrom: [],
    isComposingSentByServedClients: false,
    ...extra,
  };
}

const respOf = (r: { effects: { kind: string }[] }) => r.effects.filter((e): e is { kind: 'SEND_RESP'; code: number; reason: string; txn: string } => e.kind === 'SEND_RESP');

test('INVITE-0: PF_TRUST=peers refuses a sender it does not know with 403, explained', () => {
  const r = handleInvite(terminating({ source: { kind: 'UNKNOWN', address: '198.51.100.9:5060' } }), withPolicy());
  assert.equal(r.action.kind, 'ANSWERED');
  assert.deepEqual(respOf(r).map((e) => [e.txn, e.code, e.reason]), [['t1', 403, 'Forbidden']]);
  assert.deepEqual(r.decisions.map((d) => [d.procedure, d.branch, d.outcome]), [['INVITE', 'INVITE-0', 'REJECT']]);
});

test('INVITE-0: PF_TRUST=open treats an unknown sender as the other user\'s PF', () => {
  const r = handleInvite(terminating({ trust: 'open', source: { kind: 'UNKNOWN', address: '198.51.100.9:5060' } }), withPolicy());
  assert.equal(r.action.kind, 'FORK');
  assert.equal(r.action.kind === 'FORK' && r.action.peer.role, 'REMOTE_PF');
});

test('INVITE-1: an invitation for a user the PF does not serve is 404', () => {
  const r = handleInvite(terminating({ target: { aor: 'sip:zed@elsewhere.example', served: false } }), withPolicy());
  assert.deepEqual(respOf(r).map((e) => e.code), [404]);
  assert.equal(r.decisions[0].branch, 'INVITE-1');
});

test('DSP-8: an INVITE for no session service is answered by dispatch (403 by default), nothing is forked', () => {
  const r = handleInvite(terminating({ request: invite('msg') }), withPolicy());
  assert.equal(r.action.kind, 'ANSWERED');
  assert.deepEqual(respOf(r).map((e) => e.code), [403]);
  assert.ok(r.decisions.some((d) => d.branch === 'DSP-8'));
});

test('DSP-8 PROXY: the B2BUA does not proxy an INVITE; it is refused 403 with a reason', () => {
  const r = handleInvite(terminating({ request: invite('msg') }), withPolicy({ unmatchedRequestAction: 'PROXY', unmatchedNextHop: 'sip:scscf.example' }));
  assert.deepEqual(respOf(r).map((e) => e.code), [403]);
  assert.ok(r.decisions.some((d) => d.procedure === 'INVITE' && d.branch === 'DSP-8'));
});

const SERVICES: CpmService[] = ['session', 'filetransfer', 'largemsg', 'deferred'];
const contactArb = fc.record({
  icsis: fc.subarray([CPM_ICSI.session, CPM_ICSI.filetransfer, CPM_ICSI.largemsg, CPM_ICSI.deferred, CPM_ICSI.msg, 'urn:other']),
});

test('11.4-1, 11.4-2: the fork targets only suitable clients (all with directDeliveryToAllClients, else the latest); none suitable is 480', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SERVICES), fc.array(contactArb, { maxLength: 5 }), fc.boolean(), fc.boolean(), (svc, regs, all, untagged) => {
      const contacts: InviteContact[] = regs.map((registration, i) => ({ contact: `sip:d${i}@192.0.2.1`, registration }));
      const policy = withPolicy({ directDeliveryToAllClients: all, untaggedClientsSuitable: untagged });
      const r = handleInvite(terminating({ request: invite(svc), contacts }), policy);
      const suitable = contacts.filter((c) => suitableForInvite(c.registration, svc, policy)).map((c) => c.contact);
      assert.ok(r.decisions.length > 0);
      if (suitable.length === 0) {
        assert.deepEqual(respOf(r).map((e) => e.code), [480]);
        assert.ok(r.decisions.some((d) => d.branch === '11.4-2'));
        return;
      }
      assert.equal(r.action.kind, 'FORK');
      if (r.action.kind !== 'FORK') return;
      assert.equal(r.effects.length, 0, 'a fork answers nothing yet');
      assert.deepEqual(r.action.targets, all ? suitable : [suitable[suitable.length - 1]]);
      assert.ok(r.action.targets.every((t) => suitable.includes(t)));
      assert.ok(r.decisions.some((d) => d.branch === '11.4-1' && d.outcome === 'FORK'));
    }),
  );
});

test('11.4-1 (D-111): a client naming no CPM ICSI is suitable exactly when the provider says so; the session ICSI serves the other session services', () => {
  assert.equal(suitableForInvite({ icsis: [] }, 'session', { untaggedClientsSuitable: true }), true);
  assert.equal(suitableForInvite({ icsis: [] }, 'session', { untaggedClientsSuitable: false }), false);
  assert.equal(suitableForInvite({ icsis: [CPM_ICSI.session] }, 'filetransfer', { untaggedClientsSuitable: false }), true);
  assert.equal(suitableForInvite({ icsis: [CPM_ICSI.filetransfer] }, 'session', { untaggedClientsSuitable: true }), false);
});

test('11.4-IWF: a second IWF with the Contribution-ID of an active interworked session joins it; otherwise it is an invitation like any other', () => {
  const interworked = session({ type: 'ONE_TO_ONE', interworked: true, legs: [leg('iwf-1', 'IWF'), leg('client-1', 'CLIENT')] });
  const req = invite('session', { 'Contribution-ID': 'contrib-1' });
  const r = handleInvite(terminating({ source: { kind: 'PEER', peer: IWF }, request: req, sessions: [interworked] }), withPolicy());
  assert.deepEqual(r.action, { kind: 'JOIN_IWF', servedUser: ALICE, sessionId: 'S1', peer: IWF });
  assert.ok(r.decisions.some((d) => d.branch === '11.4-IWF' && d.outcome === 'JOIN_IWF'));
  const released = handleInvite(terminating({ source: { kind: 'PEER', peer: IWF }, request: req, sessions: [{ ...interworked, mode: 'RELEASED' }] }), withPolicy());
  assert.equal(released.action.kind, 'FORK');
  const other = handleInvite(terminating({ source: { kind: 'PEER', peer: IWF }, request: invite('session', { 'Contribution-ID': 'other' }), sessions: [interworked] }), withPolicy());
  assert.equal(other.action.kind, 'FORK');
});

function originatingInput(extra: Partial<InviteInput> = {}): InviteInput {
  return {
    txn: 't2',
    request: { ...invite('session', {}, 'sip:grp-1@cf.example'), headers: { ...invite('session').headers, from: [`<${ALICE}>;tag=a`] } },
    trust: 'peers',
    source: { kind: 'CLIENT', aor: ALICE },
    sessions: [],
    contacts: [],
    route: { role: 'CF', name: 'cf', address: '192.0.2.40:5060' },
    ...extra,
  };
}

test('BYE-4-R-iii-2: a client inviting to a group the PF stayed in (REMAIN_DISCONNECTED) is re-joined, by group URI or Contribution-ID', () => {
  const kept = session({ mode: 'REMAIN_DISCONNECTED', groupSessionIdentity: 'sip:grp-1@cf.example' });
  const r = handleInvite(originatingInput({ sessions: [kept] }), withPolicy());
  assert.deepEqual(r.action, { kind: 'REJOIN', servedUser: ALICE, sessionId: 'S1' });
  assert.equal(r.effects.length, 0);
  assert.ok(r.decisions.some((d) => d.branch === 'BYE-4-R-iii-2' && d.outcome === 'REJOIN'));
  const byContribution = handleInvite(
    originatingInput({ sessions: [session({ mode: 'REMAIN_DISCONNECTED' })], request: invite('session', { 'Contribution-ID': 'contrib-1' }, 'sip:someone@else.example') }),
    withPolicy(),
  );
  assert.equal(byContribution.action.kind, 'REJOIN');
  const active = handleInvite(originatingInput({ sessions: [session({ groupSessionIdentity: 'sip:grp-1@cf.example' })] }), withPolicy());
  assert.equal(active.action.kind, 'ORIGINATE', 'only a session the PF stayed in for the user is re-joined');
});

test('ORIG-1, ORIG-2: a client\'s invitation goes to the routed peer; with no route it is 404 "No route to the network"', () => {
  const r = handleInvite(originatingInput(), withPolicy());
  assert.equal(r.action.kind, 'ORIGINATE');
  const none = handleInvite(originatingInput({ route: undefined }), withPolicy());
  assert.deepEqual(respOf(none).map((e) => [e.code, e.reason]), [[404, 'No route to the network']]);
  assert.equal(none.decisions[0].branch, 'ORIG-2');
});

test('ORIG-3: the network\'s failure answer reaches the client unchanged; no answer at all is 500', () => {
  assert.deepEqual(respOf(originationFailed({ txn: 't', servedUser: ALICE, status: 486, reason: 'Busy Here' })).map((e) => [e.code, e.reason]), [[486, 'Busy Here']]);
  assert.deepEqual(respOf(originationFailed({ txn: 't', servedUser: ALICE })).map((e) => e.code), [500]);
});

test('11.4-3: when no fork succeeds: 487 if cancelled, else 486 if any client was busy, else the first real failure, else 480', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(403, 404, 408, 480, 486, 487, 488, 503, 603), { maxLength: 4 }), fc.boolean(), (failures, cancelled) => {
      const r = forkFailed({ txn: 't', servedUser: ALICE, failures, cancelled });
      const [resp] = respOf(r);
      assert.equal(r.effects.length, 1);
      assert.equal(r.decisions[0].branch, '11.4-3');
      const expected = cancelled ? 487 : failures.includes(486) ? 486 : (failures.find((c) => c !== 487 && c !== 408) ?? 480);
      assert.equal(resp.code, expected);
      assert.ok(resp.code >= 400 && resp.reason.length > 0);
    }),
  );
});

test('11.4-4: the first device to answer carries the session, later ones join an active session, others are hung up', () => {
  const base = { servedUser: ALICE, device: 'sip:a1@192.0.2.1' };
  assert.equal(forkAnswered({ ...base, cancelled: false, upstreamAnswered: false }).action, 'ANSWER_UPSTREAM');
  assert.equal(forkAnswered({ ...base, cancelled: false, upstreamAnswered: true, session: { id: 'S1', mode: 'ACTIVE' } }).action, 'JOIN_SESSION');
  assert.equal(forkAnswered({ ...base, cancelled: false, upstreamAnswered: true, session: { id: 'S1', mode: 'RELEASED' } }).action, 'HANG_UP');
  assert.equal(forkAnswered({ ...base, cancelled: false, upstreamAnswered: true }).action, 'HANG_UP');
  assert.equal(forkAnswered({ ...base, cancelled: true, upstreamAnswered: false }).action, 'HANG_UP');
  assert.ok(forkAnswered({ ...base, cancelled: false, upstreamAnswered: false }).decisions.every((d) => d.procedure === 'INVITE' && d.branch === '11.4-4'));
});

test('11.4: a new session takes its identities from the invitation and keeps history when the user does (8.5.2)', () => {
  const group = newSession({ id: 'S9', servedUser: ALICE, request: invite('session', { 'Conversation-ID': 'cv', 'Contribution-ID': 'ct' }), peerRole: 'CF', groupUri: 'sip:grp@cf', prefs: { allowOfflineStorage: false, allowStore: true }, peerUser: 'sip:bob@x' });
  assert.equal(group.type, 'GROUP');
  assert.equal(group.groupSessionIdentity, 'sip:grp@cf');
  assert.equal(group.peerUser, undefined, 'a group has no single peer user');
  assert.deepEqual([group.conversationId, group.contributionId, group.usesSessionHistoryFolder], ['cv', 'ct', true]);
  const one = newSession({ id: 'S8', servedUser: ALICE, request: invite('session'), peerRole: 'IWF', prefs: { allowOfflineStorage: false, allowStore: false }, peerUser: 'sip:bob@x' });
  assert.deepEqual([one.type, one.interworked, one.conversationId, one.usesSessionHistoryFolder, one.peerUser], ['ONE_TO_ONE', true, 'inv-1', false, 'sip:bob@x']);
  assert.equal(clientSupportsImdn('CPM-client/OMA1.0 x'), false);
  assert.equal(clientSupportsImdn('CPM-client/OMA2.2'), true);
});
