// Replay and what-if over recorded engine calls (pure: the recorder's seam, replay, the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SipMessageView } from '../message';
import type { UserPrefs } from '../model';
import { DEFAULT_POLICY, withPolicy } from '../policy';
import type { EngineResult } from '../result';
import { ImdnCache } from '../imdn/cache';
import { imdnMessage } from '../imdn/fixtures';
import { PROCEDURES, type ProcedureArgs, type ProcedureName } from './procedures';
import { checkReplay, replayCall } from './replay';
import { beginCall, parseBatch, parseRecordedCall, versionLine, type RecordedCall } from './tape';
import { sessionSteps } from './time-travel';
import { byeOn, O1, P, T0 } from '../bye/fixtures';
import type { CpmSession } from '../model';
import { decisionChanges, EMPTY_DIFF, mergeDiffs, whatIf } from './what-if';

const ALICE = 'sip:alice@example.com';

/** What the shell's recording seam does (server/sip/engine-calls.ts), without the store. */
function record<K extends ProcedureName>(name: K, args: ProcedureArgs<K>, at = 1_000): { result: EngineResult; call: RecordedCall } {
  const rec = beginCall(name, args as object, at);
  const result = (PROCEDURES[name].run as (a: unknown) => EngineResult)(rec.args);
  return { result, call: parseRecordedCall(rec.finish(result)) };
}

function standaloneView(body: string): SipMessageView {
  return {
    method: 'MESSAGE',
    uri: ALICE,
    headers: { 'call-id': ['c1@x'], cseq: ['1 MESSAGE'], from: ['<sip:bob@example.com>;tag=1'], to: [`<${ALICE}>`], 'content-type': ['message/cpim'] },
    body,
  };
}

const prefs = (p: Partial<UserPrefs> = {}): UserPrefs => ({ allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS', ...p });

test('REPLAY-EQ: a recorded standalone delivery replays to the same decisions and effects, latin1 bodies byte for byte', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
      fc.boolean(),
      fc.array(fc.constantFrom('urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg', 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session'), { maxLength: 2 }),
      (text, allowDefer, icsis) => {
        const body = `From: <sip:bob@example.com>\r\nimdn.Message-ID: m1\r\n\r\nContent-Type: text/plain\r\n\r\n${text}`;
        const registrations = icsis.map((i, n) => ({ contact: `sip:alice@10.0.0.${n}`, icsis: [decodeURIComponent(i)], imdnAggregation: false }));
        const { result, call } = record('deliverStandalone', { deliveryId: 'pager:1', servedUser: ALICE, txn: 't', message: standaloneView(body), registrations, prefs: prefs({ allowDefer }), skip: [], policy: DEFAULT_POLICY });
        assert.deepEqual(checkReplay([call]).mismatches, []);
        assert.equal(JSON.stringify(replayCall(call).result), JSON.stringify(result));
        assert.equal((call.a.message as SipMessageView).body, body);
      },
    ),
  );
});

test('REPLAY-EQ: lookups into the shell state are answered from the record (IMDN-RX cache, message index)', () => {
  const cache = new ImdnCache({ name: 'RX', ttlSec: 300 });
  const message = imdnMessage({ messageId: 'orig-1', type: 'delivery', status: 'delivered' });
  const args = { servedUser: 'sip:+15551230001@ims.alpha.example', message, cache, messageIndex: () => ({ kind: 'STANDALONE' as const, requested: [] }), session: () => undefined, policy: DEFAULT_POLICY, now: 5_000, txn: 't1' };
  const { call } = record('receiveImdn', args);
  assert.ok((call.r ?? []).length > 0, 'the lookups were written down');
  assert.deepEqual(call.l, ['cache', 'messageIndex', 'session']);
  assert.deepEqual(checkReplay([call]).mismatches, []);
});

test('REPLAY-EQ: a result that differs from its record is reported (a determinism bug)', () => {
  const { call } = record('deliverStandalone', { deliveryId: 'pager:1', servedUser: ALICE, txn: 't', message: standaloneView('x'), registrations: [], prefs: prefs(), skip: [], policy: DEFAULT_POLICY });
  const tampered = { ...call, h: 'different' };
  assert.equal(checkReplay([tampered]).mismatches.length, 1);
});

test('WHAT-IF 11.1-5: allow-defer false→true for the user turns the 480 into a deferral (202)', () => {
  const { call } = record('deliverStandalone', { deliveryId: 'pager:1', servedUser: ALICE, txn: 't', message: standaloneView('x'), registrations: [], prefs: prefs(), skip: [], policy: DEFAULT_POLICY });
  const diff = whatIf([call], { prefs: { [ALICE]: { allowDefer: true } } });
  assert.equal(diff.changedCalls, 1);
  assert.deepEqual(diff.groups.map((g) => [g.branch, g.user, g.outcomes]), [['11.1-5', ALICE, { 'REJECT → DEFER': 1 }]]);
  assert.deepEqual(diff.groups[0].newEffects, { 'DEFER MESSAGE': 1, 'SEND_RESP 202': 1 });
  assert.deepEqual(diff.groups[0].vanishedEffects, { 'SEND_RESP 480': 1 });
  // another user's preferences change nothing here
  assert.equal(whatIf([call], { prefs: { 'sip:bob@example.com': { allowDefer: true } } }).changedCalls, 0);
});

test('WHAT-IF D-241: preferences taken from the provider defaults follow a proposed change of the defaults', () => {
  const { call } = record('deliverStandalone', { deliveryId: 'pager:1', servedUser: ALICE, txn: 't', message: standaloneView('x'), registrations: [], prefs: prefs({ source: 'PROVIDER_DEFAULTS', allowDefer: true }), skip: [], policy: DEFAULT_POLICY });
  const diff = whatIf([call], { policy: { defaultUserPrefs: { ...DEFAULT_POLICY.defaultUserPrefs, allowDefer: false } } });
  assert.deepEqual(diff.groups.map((g) => g.outcomes), [{ 'DEFER → REJECT': 1 }]);
  const xdms = record('deliverStandalone', { deliveryId: 'pager:1', servedUser: ALICE, txn: 't', message: standaloneView('x'), registrations: [], prefs: prefs({ allowDefer: true }), skip: [], policy: DEFAULT_POLICY }).call;
  assert.equal(whatIf([xdms], { policy: { defaultUserPrefs: { ...DEFAULT_POLICY.defaultUserPrefs, allowDefer: false } } }).changedCalls, 0, "the user's own rules win");
});

test('WHAT-IF: a result compared with itself has no changes; every decision of either side is accounted for', () => {
  const decision = fc.record({ branch: fc.constantFrom('A', 'B', 'C'), outcome: fc.constantFrom('DROP', 'STORE', 'FORWARD') });
  fc.assert(
    fc.property(fc.array(decision, { maxLength: 6 }), fc.array(decision, { maxLength: 6 }), (xs, ys) => {
      const r = (ds: typeof xs): EngineResult => ({ effects: [], decisions: ds.map((d) => ({ ...d, procedure: 'DSP', summary: '', inputs: {} })) });
      assert.deepEqual(decisionChanges(r(xs), r(xs)), []);
      const changes = decisionChanges(r(xs), r(ys));
      const common = xs.length - changes.filter((c) => c.before).length;
      assert.equal(ys.length - changes.filter((c) => c.after).length, common);
    }),
  );
});

test('REPLAY-EQ, D-288: the policy, the request view and the preferences recorded by version are read back from their batch; a version not defined there is an error', () => {
  const defs: string[] = [];
  const ids = new Map<object, string>();
  const versioner = (v: object) => {
    let id = ids.get(v);
    if (!id) {
      ids.set(v, (id = `v${ids.size}`));
      defs.push(versionLine(id, JSON.stringify(v)));
    }
    return id;
  };
  const message = standaloneView('x\xe9');
  const userPrefs = prefs();
  const lines = [1, 2].map((n) => {
    const args = { deliveryId: `pager:${n}`, servedUser: ALICE, txn: 't', message, registrations: [], prefs: userPrefs, skip: [], policy: DEFAULT_POLICY };
    const rec = beginCall('deliverStandalone', args, 1_000, versioner);
    return rec.finish(PROCEDURES.deliverStandalone.run(rec.args as typeof args));
  });
  assert.match(lines[1], /"message":\{"\$v":"v0"\}/);
  assert.match(lines[1], /"prefs":\{"\$v":"v1"\}/);
  assert.match(lines[1], /"policy":\{"\$v":"v2"\}/);
  assert.equal(defs.length, 3, 'each value is written once');
  const calls = parseBatch([...defs, ...lines]);
  assert.deepEqual(calls[1].a.policy, JSON.parse(JSON.stringify(DEFAULT_POLICY)));
  assert.deepEqual(calls[1].a.prefs, userPrefs);
  assert.equal((calls[1].a.message as SipMessageView).body, 'x\xe9');
  assert.deepEqual(checkReplay(calls).mismatches, []);
  assert.throws(() => parseBatch(lines), /names (policy|message|prefs) version v\d, not defined in its batch/);
});

test('WHAT-IF: a window diffed batch by batch and merged equals the window diffed at once', () => {
  const calls = [true, false, true, true].map((online, i) =>
    record('deliverStandalone', { deliveryId: `pager:${i}`, servedUser: i % 2 ? ALICE : 'sip:bob@example.com', txn: `t${i}`, message: standaloneView(`m${i}`), registrations: online ? [{ contact: 'sip:c@1.2.3.4', icsis: [], imdnAggregation: false }] : [], prefs: prefs(), skip: [], policy: DEFAULT_POLICY }, i).call,
  );
  const proposal = { prefs: { [ALICE]: { allowDefer: true }, 'sip:bob@example.com': { allowDefer: true } }, policy: { untaggedClientsSuitable: false } };
  const whole = whatIf(calls, proposal);
  assert.ok(whole.changedCalls > 0);
  for (let cut = 0; cut <= calls.length; cut++) {
    assert.deepEqual(mergeDiffs(whatIf(calls.slice(0, cut), proposal), whatIf(calls.slice(cut), proposal)), whole);
  }
  assert.deepEqual(mergeDiffs(EMPTY_DIFF, whole), whole);
});

test('TIME-TRAVEL: a session\'s recorded inputs come back in order, each with the session before and after it', () => {
  const s0 = O1();
  const first = record('handleBye', { session: s0, input: byeOn('rpf', 'SIP;cause=200'), prefs: P(), policy: withPolicy(), now: T0, random: 0 }, T0);
  const s1 = (first.result as { session?: CpmSession }).session!;
  const second = record('handleBye', { session: s1, input: { kind: 'RESPONSE_RECEIVED', legId: 'c1', method: 'BYE', status: 200 }, prefs: P(), policy: withPolicy(), now: T0 + 50, random: 0 }, T0 + 50);
  const other = record('handleBye', { session: { ...O1(), id: 'another' }, input: byeOn('rpf', 'SIP;cause=200'), prefs: P(), policy: withPolicy(), now: T0 + 10, random: 0 }, T0 + 10);
  const steps = sessionSteps([second.call, other.call, first.call], s0.id);
  assert.deepEqual(steps.map((x) => [x.at, x.input]), [[T0, 'BYE_RECEIVED, leg rpf'], [T0 + 50, 'RESPONSE_RECEIVED, leg c1, BYE 200']]);
  assert.equal(steps[0].before?.mode, 'ACTIVE');
  assert.deepEqual(steps[0].after, JSON.parse(JSON.stringify(s1)));
  assert.deepEqual(steps[1].before, steps[0].after, 'each step starts where the last one left the session');
  assert.ok(steps[0].decisions.length > 0);
});

test('TIME-TRAVEL: inputs that name the session through an MSRP carrier or an isComposing are its steps too', () => {
  const s0 = O1();
  const composing = record('noteIsComposing', { session: s0, fromServedSide: false, cpimFrom: 'sip:bob@example.com' }, T0);
  const report = record(
    'sendImdn',
    {
      servedUser: s0.servedUser,
      carrier: { kind: 'MSRP', chunk: 'ch1', contentType: 'message/cpim', body: 'not an imdn', peerLeg: 'rpf', sessionId: s0.id },
      cache: new ImdnCache({ name: 'TX', ttlSec: 300 }),
      messageIndex: () => undefined,
      session: () => undefined,
      policy: DEFAULT_POLICY,
      now: T0 + 5,
    },
    T0 + 5,
  );
  const steps = sessionSteps([composing.call, report.call], s0.id);
  assert.deepEqual(steps.map((x) => [x.procedure, x.input]), [
    ['noteIsComposing', 'isComposing from the far side'],
    ['sendImdn', 'notification over MSRP'],
  ]);
  assert.deepEqual(steps[1].after, undefined, 'a notification carries no session state');
  assert.deepEqual(checkReplay([composing.call, report.call]).mismatches, []);
});

test('WHAT-IF DLV-3: turning IMDN aggregation on buffers a notification that was sent to the client at once', () => {
  const message = imdnMessage({ messageId: 'agg-1', type: 'delivery', status: 'delivered' });
  const servedUser = 'sip:+15551230001@ims.alpha.example';
  const rx = record('receiveImdn', { servedUser, message, cache: new ImdnCache({ name: 'RX', ttlSec: 300 }), messageIndex: () => undefined, session: () => undefined, policy: DEFAULT_POLICY, now: 5_000, txn: 't1' });
  const parts = (rx.result as unknown as { forward: ProcedureArgs<'deliverImdn'>['parts'] }).forward;
  const registrations = [{ contact: 'sip:alice@10.0.0.1', icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg'], imdnAggregation: true }];
  const dlv = record('deliverImdn', { deliveryId: 'imdn:1', servedUser, txn: 't1', message, parts, registrations, prefs: prefs(), policy: DEFAULT_POLICY, now: 5_000, buffers: {} });
  assert.deepEqual(checkReplay([rx.call, dlv.call]).mismatches, []);
  const diff = whatIf([rx.call, dlv.call], { policy: { imdnAggregation: { ...DEFAULT_POLICY.imdnAggregation, enabled: true } } });
  assert.equal(diff.changedCalls, 1);
  const [g] = diff.groups;
  assert.equal(g.user, servedUser);
  assert.ok(g.newEffects.START_TIMER, `the aggregation window starts: ${JSON.stringify(g)}`);
  assert.ok(g.vanishedEffects['SEND_REQ MESSAGE'], `the notification no longer leaves at once: ${JSON.stringify(g)}`);
});

test('TIME-TRAVEL: a session\'s steps start at its invitation: the INVITE and its fork are found by the legs\' Call-ID', () => {
  const s0 = O1();
  const view = (callId: string): SipMessageView => ({
    method: 'INVITE',
    uri: s0.servedUser,
    headers: { 'call-id': [callId], from: ['<sip:bob@example.com>;tag=b1'], to: [`<${s0.servedUser}>`], 'accept-contact': ['*;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session"'] },
    body: '',
  });
  const input = (callId: string) => ({
    txn: `${callId}|1 INVITE`,
    request: view(callId),
    trust: 'open' as const,
    source: { kind: 'UNKNOWN' as const, address: '192.0.2.9:5060' },
    target: { aor: s0.servedUser, served: true },
    sessions: [],
    contacts: [{ contact: 'sip:a1@192.0.2.1', registration: { icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session'] } }],
  });
  const invite = record('handleInvite', { input: input('inv-ours'), policy: DEFAULT_POLICY }, T0 - 20);
  const answered = record('forkAnswered', { servedUser: s0.servedUser, callId: 'inv-ours', device: 'sip:a1@192.0.2.1', cancelled: false, upstreamAnswered: false, session: undefined }, T0 - 10);
  const otherInvite = record('handleInvite', { input: input('inv-other'), policy: DEFAULT_POLICY }, T0 - 15);
  const bye = record('handleBye', { session: s0, input: byeOn('rpf', 'SIP;cause=200'), prefs: P(), policy: withPolicy(), now: T0, random: 0 }, T0);
  const calls = [bye.call, otherInvite.call, answered.call, invite.call];
  const steps = sessionSteps(calls, s0.id, ['inv-ours', 'client-leg-call-id']);
  assert.deepEqual(steps.map((x) => x.procedure), ['handleInvite', 'forkAnswered', 'handleBye']);
  assert.equal(steps[0].input, `INVITE from unknown to ${s0.servedUser}`);
  assert.ok(steps[0].decisions.length > 0);
  assert.equal(steps[1].input, 'sip:a1@192.0.2.1 answered');
  assert.deepEqual(sessionSteps(calls, s0.id).map((x) => x.procedure), ['handleBye'], 'without the Call-IDs only the calls that name the session');
  assert.deepEqual(checkReplay(calls).mismatches, []);
});
