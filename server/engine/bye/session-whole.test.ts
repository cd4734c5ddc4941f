// Issue 14, "sessions, whole": the seed's step-4 gate for an IWF acting for the user, a BYE on
// every leg of a closing session, BYE-0d after the release, and property tests over
// (session state × BYE source × Reason × preferences) for the seed's invariants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Effect } from '../effects';
import type { CpmSession, Leg } from '../model';
import { withPolicy } from '../policy';
import type { ByeSession } from './bye-state';
import { ALICE, I1, O1, P, T0, answer, byeOn, chatItem, fire, leg, msrpOn, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';
import type { ByeInput } from './inputs';

const S503 = 'SIP;cause=503';
/** O1 plus an IWF acting for alice: c1, rpf, ws. */
const O1S = (extra: Partial<ByeSession> = {}): ByeSession => {
  const s = O1(extra);
  return { ...s, legs: [...s.legs, leg('ws', 'IWF', { iwfSide: 'SERVED' })] };
};
const byeTargets = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'SEND_REQ' && e.method === 'BYE' ? [e.leg] : []));

test('CLS-10, BYE-1b-i-B: the IWF acting for alice is lost (503) while c1 is connected: only ws closes, 200 at once; no remain, no BYE, whatever the preferences', () => {
  for (const [prefs, policy] of [
    [P(), pol()],
    [P('ad'), pol({ remainOnConnectionLossFor1to1: true })],
    [P('aos', 'as', 'ad'), pol({ remainOnConnectionLossFor1to1: true, allowLongLivedGroupRestart: true, isolateClientLegErrors: false })],
  ] as const) {
    const out = handleBye(O1S(), byeOn('ws', S503), prefs, policy, T0);
    assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(ws)', 'SEND_RESP(bye-ws,200)']);
    assert.equal(out.session?.mode, 'ACTIVE');
    assert.equal(out.session?.interceptEnabled, false);
    assert.deepEqual(out.session?.legs.map((l) => [l.id, l.state]), [['c1', 'CONNECTED'], ['rpf', 'CONNECTED'], ['ws', 'TERMINATED']]);
    assert.ok(out.decisions.some((d) => d.branch === 'CLS-10'));
    assert.ok(out.decisions.some((d) => d.branch === 'BYE-1b-i-B'));
  }
});

test('BYE-4-vs-1b: c1 lost (503) while the IWF acting for alice stays: leg error, not BYE-4 (D-140)', () => {
  const out = handleBye(O1S(), byeOn('c1', S503), P('ad'), pol({ remainOnConnectionLossFor1to1: true }), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c1)', 'SEND_RESP(bye-c1,200)']);
  assert.equal(out.session?.mode, 'ACTIVE');
});

test('BYE-2a, AMB-4: the remote PF hangs up: BYE to c1 and to the IWF acting for alice; the 200 waits for both', () => {
  const { outs, session } = run(O1S(), P(), pol(), [{ input: byeOn('rpf', '-') }, { input: answer('c1', 200), at: 10 }, { input: answer('ws', 200), at: 20 }]);
  assert.deepEqual(byeTargets(outs[0].effects), ['c1', 'ws']);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.ok(outs[2].effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'bye-rpf' && e.code === 200));
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-3b, AMB-4: the only remote IWF hangs up in a session that also has a remote PF: the remote PF gets a BYE too', () => {
  const s = I1();
  const { outs, session } = run({ ...s, legs: [...s.legs, leg('rpf', 'REMOTE_PF')] }, P(), pol(), [{ input: byeOn('w1', 'SIP;cause=200') }, { input: answer('c1', 200), at: 10 }, { input: answer('rpf', 200), at: 20 }]);
  assert.deepEqual(byeTargets(outs[0].effects), ['c1', 'rpf']);
  assert.ok(outs[0].decisions.some((d) => d.branch === 'AMB-4' && d.outcome === 'BYE_CPM_PEERS'));
  assert.ok(outs[1].effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'bye-w1'), 'the IWF waits only for the served side (BYE-3b-iv)');
  assert.equal(session?.mode, 'RELEASED');
  assert.ok(session?.legs.every((l) => l.state === 'TERMINATED'));
  assert.ok(outs[2].decisions.some((d) => d.branch === 'AMB-4' && d.outcome === 'ALREADY_RELEASED'));
});

test('AMB-4: a leg no procedure names (a client not suitable for the session) still gets a BYE when the session is released', () => {
  const s = O1();
  const { outs } = run({ ...s, legs: [...s.legs, leg('c9', 'CLIENT', { suitable: false })] }, P(), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('rpf', 200), at: 10 }]);
  assert.ok(byeTargets(outs[1].effects).includes('c9'));
  assert.ok(outs[1].decisions.some((d) => d.branch === 'AMB-4' && d.outcome === 'BYE_REMAINING'));
});

test('BYE-0d: the relay gave up (AMB-25) and released the session; the client BYE crossing the PF\'s still-pending BYE gets 200, not 481', () => {
  const { outs, session } = run(O1(), P(), pol(), [
    { input: byeOn('rpf', '-') },
    { input: fire('bye-relay'), at: 5000 },
    { input: byeOn('c1', 'SIP;cause=200'), at: 5100 },
    { input: answer('c1', 481), at: 5200 },
  ]);
  assert.equal(outs[1].session?.mode, 'RELEASED');
  assert.deepEqual(sigs(outs[2].effects), ['SEND_RESP(bye-c1,200)']);
  assert.ok(outs[2].decisions.some((d) => d.branch === 'BYE-0d' && d.outcome === 'GLARE'));
  assert.ok(outs[3].decisions.some((d) => d.branch === 'BYE-0d' && d.outcome === 'IGNORED'));
  assert.equal(session?.legs.find((l) => l.id === 'c1')?.state, 'TERMINATED');
});

test('BYE-0a: a BYE on a leg of a released session whose dialog is over (no BYE of the PF pending) is still 481', () => {
  const { outs } = run(O1(), P(), pol(), [{ input: byeOn('rpf', '-') }, { input: answer('c1', 200), at: 10 }, { input: byeOn('c1', 'SIP;cause=200', 'late'), at: 20 }]);
  assert.deepEqual(sigs(outs[2].effects), ['SEND_RESP(late,481)']);
});

// ---------------------------------------------------------------------------------------------
// Property tests: (session state × BYE source × Reason × preferences)

const REASONS = ['-', 'SIP;cause=200', 'SIP;cause=200;text="bye"', 'SIP;cause=503', 'SIP;cause=408', 'SIP;cause=410', 'SIP;cause=480', 'Q.850;cause=16', 'Q.850;cause=31', 'RELEASE_CAUSE;cause=1', 'SIP;text="no cause"'];
const LEAVE = new Set(['-', 'SIP;cause=200', 'SIP;cause=200;text="bye"', 'Q.850;cause=16', 'RELEASE_CAUSE;cause=1']);

const servedSide = (l: Leg) => l.kind === 'CLIENT' || (l.kind === 'IWF' && l.iwfSide === 'SERVED');
const suitableServed = (l: Leg) => l.state === 'CONNECTED' && ((l.kind === 'CLIENT' && l.suitable) || (l.kind === 'IWF' && l.iwfSide === 'SERVED'));

const arbCase = fc
  .record({
    type: fc.constantFrom<CpmSession['type']>('GROUP', 'ONE_TO_ONE'),
    remain: fc.boolean(),
    clients: fc.array(fc.record({ connected: fc.boolean(), suitable: fc.boolean() }), { maxLength: 3 }),
    servedIwf: fc.option(fc.boolean(), { nil: undefined }),
    remoteIwfs: fc.integer({ min: 0, max: 2 }),
    peer: fc.boolean(),
    src: fc.nat(),
    reason: fc.constantFrom(...REASONS),
    aos: fc.boolean(),
    as: fc.boolean(),
    ad: fc.boolean(),
    restart: fc.boolean(),
    remain1to1: fc.boolean(),
    isolate: fc.boolean(),
    immediate: fc.boolean(),
    streamsOnly: fc.boolean(),
    history: fc.boolean(),
  })
  .map((c) => {
    const legs: Leg[] = [];
    if (c.peer) legs.push(leg('peer', c.type === 'GROUP' ? 'CF' : 'REMOTE_PF'));
    for (let i = 0; i < c.remoteIwfs; i++) legs.push(leg(`w${i + 1}`, 'IWF', { iwfSide: 'REMOTE', mediaStreams: [{ mLine: i + 1, protocol: 'MSRP' }] }));
    c.clients.forEach((x, i) => legs.push(leg(`c${i + 1}`, 'CLIENT', { suitable: x.suitable, state: x.connected && !c.remain ? 'CONNECTED' : 'TERMINATED' })));
    if (c.servedIwf !== undefined) legs.push(leg('ws', 'IWF', { iwfSide: 'SERVED', state: c.servedIwf && !c.remain ? 'CONNECTED' : 'TERMINATED' }));
    const connected = legs.filter((l) => l.state === 'CONNECTED');
    const base = c.type === 'GROUP' ? { participants: { version: 1, confActive: true, users: {}, source: 'RELAYED' as const } } : {};
    const session: ByeSession = {
      id: 'S',
      servedUser: ALICE,
      type: c.type,
      conversationId: 'conv',
      contributionId: 'contrib',
      legs,
      interworked: c.remoteIwfs > 0,
      usesSessionHistoryFolder: c.history,
      mode: c.remain ? 'REMAIN_DISCONNECTED' : 'ACTIVE',
      interceptEnabled: c.remain && (c.aos || c.as || c.ad),
      participants: { version: 0, confActive: true, users: {}, source: 'NONE' },
      isComposingFrom: [],
      isComposingSentByServedClients: false,
      ...base,
    };
    const src = connected.length === 0 ? undefined : connected[c.src % connected.length];
    const prefs = { allowOfflineStorage: c.aos, allowStore: c.as, allowDefer: c.ad, hasCpmOfflineStorageRule: c.aos, source: 'XDMS' as const };
    const policy = withPolicy({
      allowLongLivedGroupRestart: c.restart,
      remainOnConnectionLossFor1to1: c.remain1to1,
      isolateClientLegErrors: c.isolate,
      answerNetworkByeImmediately: c.immediate,
      iwfByeScope: c.streamsOnly ? 'IWF_STREAMS_ONLY' : 'WHOLE_SESSION',
    });
    return { session, src, reason: c.reason, prefs, policy };
  })
  .filter((c) => c.src !== undefined);

interface Played {
  byes: Set<string>;
  final: ByeSession;
  releasedAfterStep: boolean[];
  steps: Array<{ effects: Effect[]; session: ByeSession }>;
}

/** The BYE, then every request the PF sends answered 200 and every timer fired, until quiet. */
function play(c: { session: ByeSession; src?: Leg; reason: string; prefs: ReturnType<typeof P>; policy: ReturnType<typeof pol> }): Played {
  const byes = new Set<string>();
  const steps: Played['steps'] = [];
  let s: ByeSession = c.session;
  let queue: ByeInput[] = [byeOn(c.src!.id, c.reason)];
  let t = T0;
  for (let round = 0; round < 12 && queue.length > 0; round++) {
    const next: ByeInput[] = [];
    for (const input of queue) {
      const out = handleBye(s, input, c.prefs, c.policy, (t += 10), 0.5);
      s = out.session ?? s;
      steps.push({ effects: out.effects, session: s });
      for (const e of out.effects) {
        if (e.kind === 'SEND_REQ' && (e.method === 'BYE' || e.method === 'INVITE')) {
          if (e.method === 'BYE') byes.add(e.leg);
          next.push(answer(e.leg, 200, e.method));
        }
        if (e.kind === 'START_TIMER') next.push(fire(e.timer.name));
      }
    }
    queue = next;
  }
  return { byes, final: s, releasedAfterStep: steps.map((x) => x.session.mode === 'RELEASED'), steps };
}

test('BYE-1b-i-B, BYE-4-vs-1b, CLS-3, CLS-10: property — no teardown while another suitable client is connected (a network-type BYE from the served side)', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const src = c.src!;
      const others = c.session.legs.filter((l) => l.id !== src.id && suitableServed(l));
      fc.pre(servedSide(src) && !LEAVE.has(c.reason) && others.length > 0);
      const out = handleBye(c.session, byeOn(src.id, c.reason), c.prefs, c.policy, T0);
      assert.equal(out.session?.mode, 'ACTIVE');
      assert.equal(out.session?.interceptEnabled, false);
      assert.deepEqual(byeTargets(out.effects), [], 'no BYE to anyone');
      assert.ok(!out.effects.some((e) => e.kind === 'SUBSCRIBE_CONF' || e.kind === 'RECORD_SESSION'));
      assert.ok(out.effects.some((e) => e.kind === 'SEND_RESP' && e.txn === `bye-${src.id}` && e.code === 200));
      for (const l of others) assert.equal(out.session?.legs.find((x) => x.id === l.id)?.state, 'CONNECTED');
    }),
    { numRuns: 1500 },
  );
});

test('BYE-1f, BYE-2e, BYE-3c, BYE-4-P, AMB-4: property — every connected leg of a released session got a BYE', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const p = play(c);
      if (p.final.mode !== 'RELEASED') return;
      const wereConnected = c.session.legs.filter((l) => l.state === 'CONNECTED' && l.id !== c.src!.id);
      for (const l of wereConnected) assert.ok(p.byes.has(l.id), `${l.id} (${l.kind}) was connected and got no BYE`);
      assert.ok(p.final.legs.every((l) => l.state === 'TERMINATED'), JSON.stringify(p.final.legs.map((l) => [l.id, l.state])));
    }),
    { numRuns: 1500 },
  );
});

test('BYE-4-R-ii, BYE-4-vs-1b: property — nothing is intercepted while a client is connected', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const p = play(c);
      for (const step of p.steps) {
        if (step.session.mode === 'REMAIN_DISCONNECTED' || step.session.interceptEnabled) {
          assert.deepEqual(step.session.legs.filter(suitableServed).map((l) => l.id), [], 'the PF stands in for the user while a client is connected');
        }
      }
      // whatever the far side sends now is intercepted only if no client is connected
      const far = p.final.legs.find((l) => l.state === 'CONNECTED' && !servedSide(l));
      if (far === undefined) return;
      const out = handleBye(p.final, msrpOn(far.id, chatItem()), c.prefs, c.policy, T0 + 60_000);
      if (p.final.legs.some(suitableServed)) {
        assert.ok(!out.effects.some((e) => e.kind === 'DEFER' || e.kind === 'RECORD_OBJECT' || e.kind === 'MSRP_RESP'));
      }
    }),
    { numRuns: 1500 },
  );
});
