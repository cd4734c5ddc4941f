import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../effects';
import { G1, G3, G3_POLICY, O1, P, R1, T0, answer, byeOn, chatItem, fire, msrpOn, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';

const reasonOf = (effects: Effect[], legId: string) => {
  const e = effects.find((x) => x.kind === 'SEND_REQ' && x.leg === legId);
  return e?.kind === 'SEND_REQ' ? e.headers.Reason : undefined;
};

test('BYE-2-410: G1, BYE(410) on cf: BYE to c1 with the 410 Reason; c1 200 → 200→cf; release all (ordered)', () => {
  const { outs, session } = run(G1(), P(), pol(), [
    { input: byeOn('cf', 'SIP;cause=410;text="Gone"') },
    { input: answer('c1', 200), at: 50 },
  ]);
  assert.deepEqual(sigs(outs[0].effects), ['STOP_MEDIA(c1)', 'SEND_REQ(c1,BYE)', 'START_TIMER(bye-relay,5000)']);
  assert.deepEqual(reasonOf(outs[0].effects, 'c1'), ['SIP;cause=410;text="Gone"']);
  assert.deepEqual(sigs(outs[1].effects), ['SEND_RESP(bye-cf,200)', 'CANCEL_TIMER(bye-relay)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.restartable, false);
});

test('BYE-2a: BYE(480) on cf: BYE to c1 from c1 dialog with Reason 480; nothing back to cf yet', () => {
  const out = handleBye(G1(), byeOn('cf', 'SIP;cause=480'), P(), pol(), T0);
  const req = out.effects.find((e) => e.kind === 'SEND_REQ');
  assert.ok(req?.kind === 'SEND_REQ');
  assert.equal(req.leg, 'c1');
  assert.equal(req.headers['Call-ID'], 'c1-call@example');
  assert.equal(req.headers.CSeq, '11 BYE');
  assert.deepEqual(req.headers.Reason, ['SIP;cause=480']);
  assert.ok(!out.effects.some((e) => e.kind === 'SEND_RESP'));
});

test('BYE-2-480: the same path, and session.restartable=true is recorded', () => {
  const out = handleBye(G1(), byeOn('cf', 'SIP;cause=480;text="Bearer unavailable"'), P(), pol(), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND')), ['SEND_REQ(c1,BYE)']);
  assert.equal(out.session?.restartable, true);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-2-480' && d.inputs.restartable === true));
});

test('BYE-2-none: O1, BYE(-) on rpf: BYE to c1; 200→rpf after c1 200; release', () => {
  const { outs, session } = run(O1(), P(), pol(), [{ input: byeOn('rpf', '-') }, { input: answer('c1', 200), at: 40 }]);
  assert.ok(sigs(outs[0].effects).includes('SEND_REQ(c1,BYE)'));
  assert.equal(reasonOf(outs[0].effects, 'c1'), undefined);
  assert.ok(!outs[0].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.deepEqual(sigs(outs[1].effects).filter((x) => !x.startsWith('CANCEL')), ['SEND_RESP(bye-rpf,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-2b: P(aos): RECORD_SESSION comes before SEND_REQ(c1, BYE) and the 200→cf', () => {
  const { outs } = run(G1(), P('aos'), pol(), [{ input: byeOn('cf', 'SIP;cause=410') }, { input: answer('c1', 200), at: 40 }]);
  const e = sigs(outs[0].effects);
  assert.equal(e[0], 'RECORD_SESSION(S)');
  assert.ok(e.indexOf('RECORD_SESSION(S)') < e.indexOf('SEND_REQ(c1,BYE)'));
  assert.ok(!sigs(outs[1].effects).includes('RECORD_SESSION(S)'));
});

test('BYE-2b-x: P(as): no RECORD_SESSION', () => {
  const { outs } = run(G1(), P('as'), pol(), [{ input: byeOn('cf', 'SIP;cause=410') }, { input: answer('c1', 200), at: 40 }]);
  assert.ok(![...outs[0].effects, ...outs[1].effects].some((e) => e.kind === 'RECORD_SESSION'));
  assert.ok(outs[0].decisions.some((d) => d.branch === 'BYE-2b-x'));
});

test('BYE-2-multi: G3, BYE(410) on cf: BYE to c1, c2, c3; 200→cf only after all three answer', () => {
  const { outs } = run(G3(), P(), pol(G3_POLICY), [
    { input: byeOn('cf', 'SIP;cause=410') },
    { input: answer('c1', 200), at: 10 },
    { input: answer('c2', 481), at: 20 },
    { input: answer('c3', 200), at: 30 },
  ]);
  assert.deepEqual(sigs(outs[0].effects).filter((x) => x.startsWith('SEND')), ['SEND_REQ(c1,BYE)', 'SEND_REQ(c2,BYE)', 'SEND_REQ(c3,BYE)']);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.ok(!outs[2].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.equal(sigs(outs[3].effects)[0], 'SEND_RESP(bye-cf,200)');
});

test('BYE-2d-timeout: c1 never answers: 200→cf at byeRelayTimeoutMs (AMB-25)', () => {
  const { outs, session } = run(G1(), P(), pol({ byeRelayTimeoutMs: 5000 }), [
    { input: byeOn('cf', 'SIP;cause=410') },
    { input: fire('bye-relay'), at: 5000 },
  ]);
  assert.ok(sigs(outs[0].effects).includes('START_TIMER(bye-relay,5000)'));
  assert.deepEqual(sigs(outs[1].effects), ['SEND_RESP(bye-cf,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-2e: after 200→cf: RELEASE_MEDIA(ALL) and mode RELEASED', () => {
  const { outs, session } = run(G1(), P(), pol(), [{ input: byeOn('cf', '-') }, { input: answer('c1', 200), at: 40 }]);
  const e = sigs(outs[1].effects);
  assert.ok(e.indexOf('SEND_RESP(bye-cf,200)') < e.indexOf('RELEASE_MEDIA(ALL)'));
  assert.ok(e.includes('SET_MODE(RELEASED)'));
  assert.equal(session?.mode, 'RELEASED');
  assert.ok(session?.legs.every((l) => l.state === 'TERMINATED'));
});

test('BYE-2-R: R1, P(aos), BYE(480) on cf: no client BYE; RECORD_SESSION; 200→cf at once; release all; deferred items kept', () => {
  // one deferred item first, so "kept" has something to keep
  const { outs, session } = run(R1(true), P('aos', 'ad'), pol(), [
    { input: msrpOn('cf', chatItem()) },
    { input: byeOn('cf', 'SIP;cause=480'), at: 100 },
  ]);
  assert.deepEqual(sigs(outs[1].effects), ['RECORD_SESSION(S)', 'SEND_RESP(bye-cf,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_REQ'));
  assert.equal(session?.bye?.deferred.length, 1);
  assert.ok(outs[1].decisions.some((d) => d.branch === 'BYE-2-R' && d.inputs.deferredItems === 1));
});
