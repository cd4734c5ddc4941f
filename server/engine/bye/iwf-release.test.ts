import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Effect } from '../effects';
import { I1, I2, P, T0, answer, byeOn, fire, leg, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';
import { glareDelayMs } from './iwf-release';

const streamsOnly = pol({ iwfByeScope: 'IWF_STREAMS_ONLY' });
const invite = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { kind: 'SEND_REQ' }> => e.kind === 'SEND_REQ' && e.method === 'INVITE');
const mLines = (sdp: string) => sdp.split('\r\n').filter((l) => l.startsWith('m='));

test('BYE-3a: I2, IWF_STREAMS_ONLY, BYE on w1: re-INVITE to c1 with m-line 1 at port 0, 200→w1, STOP_MEDIA(w1), no release, no BYE', () => {
  const out = handleBye(I2(), byeOn('w1', '-'), P(), streamsOnly, T0);
  assert.deepEqual(sigs(out.effects), ['SEND_REQ(c1,INVITE)', 'SEND_RESP(bye-w1,200)', 'STOP_MEDIA(w1)']);
  const inv = invite(out.effects)!;
  assert.deepEqual(mLines(inv.body!), ['m=message 0 TCP/MSRP *', 'm=message 7394 TCP/MSRP *']);
  assert.match(inv.body!, /^o=- 2890844526 2890844528 /m); // version bumped
  assert.equal(inv.headers.CSeq, '11 INVITE');
  assert.ok(!out.effects.some((e) => e.kind === 'RELEASE_MEDIA'));
  assert.equal(out.session?.mode, 'ACTIVE');
});

test('BYE-3a-ok: c1 answers the re-INVITE 200: ACK, then RELEASE_MEDIA([w1]); session ACTIVE with w2', () => {
  const { outs, session } = run(I2(), P(), streamsOnly, [{ input: byeOn('w1', '-') }, { input: answer('c1', 200, 'INVITE'), at: 80 }]);
  assert.deepEqual(sigs(outs[1].effects), ['SEND_REQ(c1,ACK)', 'RELEASE_MEDIA(w1)']);
  const ack = outs[1].effects[0];
  assert.ok(ack.kind === 'SEND_REQ' && ack.headers.CSeq === '11 ACK');
  assert.equal(session?.mode, 'ACTIVE');
  assert.equal(session?.legs.find((l) => l.id === 'w2')?.state, 'CONNECTED');
});

test('BYE-3a-491: the PF generated c1 Call-ID: START_TIMER(reinvite-retry, T in [2100,4000], 10 ms steps); then a re-INVITE with a new CSeq', () => {
  const s = I2();
  s.legs[0].dialog.callIdGeneratedLocally = true;
  const { outs } = run(s, P(), streamsOnly, [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 491, 'INVITE'), at: 50, random: 0.5 },
    { input: fire('reinvite-retry'), at: 3100 },
  ]);
  const t = outs[1].effects[0];
  assert.ok(t.kind === 'START_TIMER' && t.timer.name === 'reinvite-retry');
  assert.ok(t.ms >= 2100 && t.ms <= 4000 && t.ms % 10 === 0);
  assert.equal(outs[1].effects.length, 1); // no fallback, no release
  assert.equal(invite(outs[2].effects)?.headers.CSeq, '12 INVITE');
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (r) => {
    const ms = glareDelayMs(true, r);
    return ms >= 2100 && ms <= 4000 && ms % 10 === 0;
  }));
});

test('BYE-3a-491b: c1 generated the Call-ID: T in [0,2000], 10 ms steps; then the re-INVITE again', () => {
  const { outs } = run(I2(), P(), streamsOnly, [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 491, 'INVITE'), at: 50, random: 0.999 },
    { input: fire('reinvite-retry'), at: 2100 },
  ]);
  const t = outs[1].effects[0];
  assert.ok(t.kind === 'START_TIMER' && t.ms >= 0 && t.ms <= 2000 && t.ms % 10 === 0);
  assert.equal(t.kind === 'START_TIMER' && t.ms, 2000);
  assert.deepEqual(sigs(outs[2].effects), ['SEND_REQ(c1,INVITE)']);
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (r) => {
    const ms = glareDelayMs(false, r);
    return ms >= 0 && ms <= 2000 && ms % 10 === 0;
  }));
  // different draws give different delays: the back-off is really random
  assert.notEqual(glareDelayMs(false, 0.1), glareDelayMs(false, 0.9));
});

test('BYE-3a-491-ok: the retried re-INVITE gets 200: ACK, RELEASE_MEDIA([w1])', () => {
  const { outs } = run(I2(), P(), streamsOnly, [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 491, 'INVITE'), at: 50 },
    { input: fire('reinvite-retry'), at: 500 },
    { input: answer('c1', 200, 'INVITE'), at: 600 },
  ]);
  assert.deepEqual(sigs(outs[3].effects), ['SEND_REQ(c1,ACK)', 'RELEASE_MEDIA(w1)']);
  const ack = outs[3].effects[0];
  assert.ok(ack.kind === 'SEND_REQ' && ack.headers.CSeq === '12 ACK');
});

test('BYE-3a-491-fail: retried re-INVITE gets 491 again (retries=1): BYE to c1 and w2; after the answers release all', () => {
  const { outs, session } = run(I2(), P(), pol({ iwfByeScope: 'IWF_STREAMS_ONLY', reinviteGlareRetries: 1 }), [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 491, 'INVITE'), at: 50 },
    { input: fire('reinvite-retry'), at: 500 },
    { input: answer('c1', 491, 'INVITE'), at: 600 },
    { input: answer('c1', 200), at: 650 },
    { input: answer('w2', 200), at: 700 },
  ]);
  assert.deepEqual(sigs(outs[3].effects).filter((x) => x.startsWith('SEND')), ['SEND_REQ(c1,BYE)', 'SEND_REQ(w2,BYE)']);
  assert.ok(outs[3].decisions.some((d) => d.branch === 'BYE-3a-fail'));
  assert.ok(!outs[4].effects.some((e) => e.kind === 'RELEASE_MEDIA' && e.legs === 'ALL'));
  assert.ok(sigs(outs[5].effects).includes('RELEASE_MEDIA(ALL)'));
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-3a-fail: c1 answers 488: no retry; fallback at once: BYE to c1 and w2; after the answers release all', () => {
  const { outs, session } = run(I2(), P(), streamsOnly, [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 488, 'INVITE'), at: 50 },
    { input: answer('c1', 200), at: 60 },
    { input: answer('w2', 200), at: 70 },
  ]);
  const e = sigs(outs[1].effects);
  assert.ok(!e.some((x) => x.startsWith('START_TIMER(reinvite')));
  assert.deepEqual(e.filter((x) => x.startsWith('SEND')), ['SEND_REQ(c1,BYE)', 'SEND_REQ(w2,BYE)']);
  assert.ok(!outs[1].effects.some((x) => x.kind === 'SEND_RESP')); // w1 was answered already
  assert.ok(sigs(outs[3].effects).includes('RELEASE_MEDIA(ALL)'));
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-3b-single: I1, P(-), BYE on w1: BYE to c1; after c1 200 → 200→w1; release all', () => {
  const { outs, session } = run(I1(), P(), pol(), [{ input: byeOn('w1', '-') }, { input: answer('c1', 200), at: 40 }]);
  assert.deepEqual(sigs(outs[0].effects), ['STOP_MEDIA(c1)', 'SEND_REQ(c1,BYE)', 'START_TIMER(bye-relay,5000)']);
  assert.deepEqual(sigs(outs[1].effects), ['SEND_RESP(bye-w1,200)', 'CANCEL_TIMER(bye-relay)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-3b-i: I1 plus a second client c2: BYE to c1 and c2 from their own dialogs; 200→w1 after both', () => {
  const s = I1();
  s.legs.push(leg('c2', 'CLIENT'));
  const { outs } = run(s, P(), pol(), [
    { input: byeOn('w1', '-') },
    { input: answer('c1', 200), at: 10 },
    { input: answer('c2', 200), at: 20 },
  ]);
  const reqs = outs[0].effects.filter((e) => e.kind === 'SEND_REQ');
  assert.deepEqual(reqs.map((e) => e.kind === 'SEND_REQ' && e.headers['Call-ID']), ['c1-call@example', 'c2-call@example']);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.equal(sigs(outs[2].effects)[0], 'SEND_RESP(bye-w1,200)');
});

test('BYE-3b-whole: I2, WHOLE_SESSION, BYE on w1: BYE to c1 and w2; 200→w1 after c1 answers', () => {
  const { outs } = run(I2(), P(), pol({ iwfByeScope: 'WHOLE_SESSION' }), [{ input: byeOn('w1', '-') }, { input: answer('c1', 200), at: 40 }]);
  assert.deepEqual(sigs(outs[0].effects).filter((x) => x.startsWith('SEND')), ['SEND_REQ(c1,BYE)', 'SEND_REQ(w2,BYE)']);
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-w1,200)');
});

test('BYE-3b-iv: after BYE-3b-single, c1 answers the BYE 200 → SEND_RESP(200)→w1', () => {
  const { outs } = run(I1(), P(), pol(), [{ input: byeOn('w1', 'SIP;cause=200') }, { input: answer('c1', 200), at: 40 }]);
  const resp = outs[1].effects.find((e) => e.kind === 'SEND_RESP');
  assert.ok(resp?.kind === 'SEND_RESP' && resp.txn === 'bye-w1' && resp.code === 200);
  assert.ok(outs[1].decisions.some((d) => d.branch === 'BYE-3b-iv'));
});

test('BYE-3b-v: I2, WHOLE_SESSION: SEND_REQ(w2, BYE) as well as the BYE to c1 (AMB-35)', () => {
  const out = handleBye(I2(), byeOn('w1', 'SIP;cause=200'), P(), pol({ iwfByeScope: 'WHOLE_SESSION' }), T0);
  const w2 = out.effects.find((e) => e.kind === 'SEND_REQ' && e.leg === 'w2');
  assert.ok(w2?.kind === 'SEND_REQ' && w2.method === 'BYE');
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-3b-v'));
});

test('BYE-3b-iv-timeout: I1, c1 never answers: 200→w1 at byeRelayTimeoutMs', () => {
  const { outs } = run(I1(), P(), pol({ byeRelayTimeoutMs: 5000 }), [{ input: byeOn('w1', '-') }, { input: fire('bye-relay'), at: 5000 }]);
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-w1,200)');
});

test('BYE-3b-ii: I1, P(aos): RECORD_SESSION before SEND_REQ(c1, BYE) and before 200→w1', () => {
  const { outs } = run(I1(), P('aos'), pol(), [{ input: byeOn('w1', '-') }, { input: answer('c1', 200), at: 40 }]);
  const e = sigs(outs[0].effects);
  assert.equal(e[0], 'RECORD_SESSION(S)');
  assert.ok(e.indexOf('RECORD_SESSION(S)') < e.indexOf('SEND_REQ(c1,BYE)'));
  assert.ok(!e.some((x) => x.startsWith('SEND_RESP')));
});

test('BYE-3b-ii-x: I1, P(as,ad): no RECORD_SESSION', () => {
  const { outs } = run(I1(), P('as', 'ad'), pol(), [{ input: byeOn('w1', '-') }, { input: answer('c1', 200), at: 40 }]);
  assert.ok(![...outs[0].effects, ...outs[1].effects].some((e) => e.kind === 'RECORD_SESSION'));
});

test('BYE-3c: I1: after 200→w1 all media is released', () => {
  const { outs } = run(I1(), P(), pol(), [{ input: byeOn('w1', '-') }, { input: answer('c1', 200), at: 40 }]);
  const e = sigs(outs[1].effects);
  assert.ok(e.indexOf('SEND_RESP(bye-w1,200)') < e.indexOf('RELEASE_MEDIA(ALL)'));
  assert.ok(!sigs(outs[0].effects).includes('RELEASE_MEDIA(ALL)'));
});

test('BYE-3c-3a: I2, IWF_STREAMS_ONLY: only w1 resources, only after the re-INVITE 200; w2 untouched', () => {
  const { outs, session } = run(I2(), P(), streamsOnly, [{ input: byeOn('w1', '-') }, { input: answer('c1', 200, 'INVITE'), at: 40 }]);
  const releases = [...outs[0].effects, ...outs[1].effects].filter((e) => e.kind === 'RELEASE_MEDIA');
  assert.deepEqual(releases, [{ kind: 'RELEASE_MEDIA', legs: ['w1'] }]);
  assert.ok(!outs[0].effects.some((e) => e.kind === 'RELEASE_MEDIA'));
  assert.equal(session?.legs.find((l) => l.id === 'w2')?.state, 'CONNECTED');
});
