import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserPrefs } from '../model';
import type { Policy } from '../policy';
import { parseReason } from '../parse/reason';
import type { ByeSession } from './bye-state';
import { classifyBye } from './classify';
import { G1, I1, O1, P, S1, T0, byeOn, pol, sigs } from './fixtures';
import { handleBye } from './handle-bye';

function step(s: ByeSession, legId: string, r: string | string[], prefs: UserPrefs = P(), policy: Policy = pol()) {
  const out = handleBye(s, byeOn(legId, r), prefs, policy, T0);
  const cls = out.decisions.find((d) => d.procedure === 'CLS');
  assert.ok(cls, 'a CLS decision is logged');
  return { out, cls, effects: sigs(out.effects), all: out.decisions.map((d) => d.branch) };
}

test('CLS-1: BYE with no Reason on a client leg is USER_LEAVE → BYE-1 (BYE to cf)', () => {
  const { cls, effects } = step(G1(), 'c1', '-');
  assert.equal(cls.branch, 'CLS-1');
  assert.equal(cls.outcome, 'USER_LEAVE');
  assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
  assert.ok(!effects.includes('SUBSCRIBE_CONF(S,3600)'));
  // no policy switch changes it (AMB-1): even with every remain reason on
  const again = step(G1(), 'c1', '-', P('aos', 'as', 'ad'), pol({ allowLongLivedGroupRestart: true, isolateClientLegErrors: false }));
  assert.equal(again.cls.branch, 'CLS-1');
  assert.ok(again.effects.includes('SEND_REQ(cf,BYE)'));
});

test('CLS-2: SIP cause 200 with text on c1 → USER_LEAVE → BYE-1', () => {
  const { cls, effects } = step(G1(), 'c1', 'SIP;cause=200;text="Call completed"');
  assert.equal(cls.branch, 'CLS-2');
  assert.equal(cls.outcome, 'USER_LEAVE');
  assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
});

test('CLS-2b: SIP cause 200 without text → USER_LEAVE', () => {
  const { cls, all } = step(G1(), 'c1', 'SIP;cause=200');
  assert.equal(cls.branch, 'CLS-2');
  assert.ok(all.includes('BYE-1a'));
});

test('CLS-2x-q850: Q.850 cause 16 alone → USER_LEAVE → BYE-1: BYE to cf, no SUBSCRIBE, no remain', () => {
  const { cls, effects, out } = step(G1(), 'c1', 'Q.850;cause=16', P('aos'));
  assert.equal(cls.branch, 'CLS-2x');
  assert.equal(cls.outcome, 'USER_LEAVE');
  assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
  assert.ok(!effects.some((e) => e.startsWith('SUBSCRIBE_CONF')));
  assert.notEqual(out.session?.mode, 'REMAIN_DISCONNECTED');
});

test('CLS-2x-rc: RELEASE_CAUSE cause 1 → USER_LEAVE → BYE-1', () => {
  const { cls, effects } = step(G1(), 'c1', 'RELEASE_CAUSE;cause=1;text="User ends call"', P('aos'));
  assert.equal(cls.branch, 'CLS-2x');
  assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
});

test('CLS-2x-both: Q.850 16 together with RELEASE_CAUSE 1 → USER_LEAVE', () => {
  const { cls, effects } = step(G1(), 'c1', 'Q.850;cause=16, RELEASE_CAUSE;cause=1');
  assert.equal(cls.outcome, 'USER_LEAVE');
  assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
});

test('CLS-2x-mix: Q.850 16 next to RELEASE_CAUSE 3 → NETWORK_RELEASE → BYE-4-R', () => {
  const { cls, effects, out } = step(G1(), 'c1', 'Q.850;cause=16, RELEASE_CAUSE;cause=3', P('aos'));
  assert.equal(cls.branch, 'CLS-3');
  assert.equal(cls.outcome, 'NETWORK_RELEASE');
  assert.ok(!effects.includes('SEND_REQ(cf,BYE)'));
  assert.equal(out.session?.mode, 'REMAIN_DISCONNECTED');
});

for (const [id, r] of [
  ['CLS-3', 'SIP;cause=503;text="Service Unavailable"'],
  ['CLS-3b', 'Q.850;cause=41'],
  ['CLS-3c', 'Q.850;cause=16, SIP;cause=503'],
  ['CLS-3d', 'SIP;cause=abc'],
  ['CLS-3e', 'RELEASE_CAUSE;cause=3;text="Media bearer loss"'],
] as const) {
  test(`${id}: ${r} on c1 with P(-) → NETWORK_RELEASE → BYE-4-P`, () => {
    const { cls, all, effects, out } = step(G1(), 'c1', r, P());
    assert.equal(cls.branch, 'CLS-3');
    assert.equal(cls.outcome, 'NETWORK_RELEASE');
    assert.ok(all.includes('BYE-4-P'));
    assert.ok(!all.includes('BYE-1a'));
    assert.equal(effects[0], 'SEND_RESP(bye-c1,200)');
    assert.ok(effects.includes('SEND_REQ(cf,BYE)'));
    assert.equal(out.session?.mode, 'ACTIVE'); // released only after cf answers
  });
}

test('CLS-3f: SIP cause 200 next to Q.850 41 → USER_LEAVE (the SIP value decides) → BYE-1', () => {
  const { cls, all } = step(G1(), 'c1', 'SIP;cause=200, Q.850;cause=41', P());
  assert.equal(cls.branch, 'CLS-2');
  assert.ok(all.includes('BYE-1a'));
});

test('CLS-4: BYE with no Reason on cf → REMOTE_RELEASE → BYE-2', () => {
  const { cls, effects } = step(G1(), 'cf', '-');
  assert.equal(cls.branch, 'CLS-4');
  assert.equal(cls.outcome, 'REMOTE_RELEASE');
  assert.ok(effects.includes('SEND_REQ(c1,BYE)'));
});

test('CLS-4b: BYE with no Reason on rpf (O1) → REMOTE_RELEASE → BYE-2', () => {
  const { cls, effects } = step(O1(), 'rpf', '-');
  assert.equal(cls.branch, 'CLS-4');
  assert.ok(effects.includes('SEND_REQ(c1,BYE)'));
});

test('CLS-5: SIP cause 410 on cf → GROUP_TERMINATED → BYE-2, restartable=false', () => {
  const { cls, effects, out } = step(G1(), 'cf', 'SIP;cause=410;text="Gone"');
  assert.equal(cls.branch, 'CLS-5');
  assert.equal(cls.outcome, 'GROUP_TERMINATED');
  assert.ok(effects.includes('SEND_REQ(c1,BYE)'));
  assert.equal(out.session?.restartable, false);
});

test('CLS-6: SIP cause 480 on cf → GROUP_INACTIVE → BYE-2, restartable=true', () => {
  const { cls, out } = step(G1(), 'cf', 'SIP;cause=480;text="Bearer unavailable"');
  assert.equal(cls.branch, 'CLS-6');
  assert.equal(cls.outcome, 'GROUP_INACTIVE');
  assert.equal(out.session?.restartable, true);
});

test('CLS-7: SIP cause 200 on cf → REMOTE_RELEASE → BYE-2 (AMB-29)', () => {
  const { cls, effects } = step(G1(), 'cf', 'SIP;cause=200');
  assert.equal(cls.branch, 'CLS-7');
  assert.equal(cls.outcome, 'REMOTE_RELEASE');
  assert.ok(effects.includes('SEND_REQ(c1,BYE)'));
  assert.ok(!effects.includes('SEND_REQ(cf,BYE)'));
});

test('CLS-7b: SIP cause 503 on rpf → REMOTE_RELEASE → BYE-2, never BYE-4', () => {
  const { cls, all, out } = step(O1(), 'rpf', 'SIP;cause=503', P('aos'), pol({ remainOnConnectionLossFor1to1: true }));
  assert.equal(cls.branch, 'CLS-7');
  assert.ok(!all.some((b) => b.startsWith('BYE-4')));
  assert.notEqual(out.session?.mode, 'REMAIN_DISCONNECTED');
});

test('CLS-8: any Reason on a REMOTE-side IWF → IWF_RELEASE → BYE-3', () => {
  for (const r of ['-', 'SIP;cause=200', 'SIP;cause=503', 'Q.850;cause=16']) {
    const { cls, all } = step(I1(), 'w1', r);
    assert.equal(cls.branch, 'CLS-8', r);
    assert.equal(cls.outcome, 'IWF_RELEASE');
    assert.ok(all.includes('BYE-3b'), r);
  }
});

test('CLS-9: SIP cause 200 on a SERVED-side IWF → USER_LEAVE → BYE-1 (BYE to rpf)', () => {
  const { cls, effects } = step(S1(), 'ws', 'SIP;cause=200');
  assert.equal(cls.branch, 'CLS-9');
  assert.equal(cls.outcome, 'USER_LEAVE');
  assert.ok(effects.includes('SEND_REQ(rpf,BYE)'));
});

test('CLS-9b: Q.850 16 on the SERVED-side IWF → USER_LEAVE → BYE-1', () => {
  const { cls, effects } = step(S1(), 'ws', 'Q.850;cause=16');
  assert.equal(cls.branch, 'CLS-9');
  assert.ok(effects.includes('SEND_REQ(rpf,BYE)'));
});

test('CLS-10: SIP cause 503 on the SERVED-side IWF, P(-) → NETWORK_RELEASE → BYE-4-P (1-1)', () => {
  const { cls, all, effects } = step(S1(), 'ws', 'SIP;cause=503', P());
  assert.equal(cls.branch, 'CLS-10');
  assert.equal(cls.outcome, 'NETWORK_RELEASE');
  assert.ok(all.includes('BYE-4-P'));
  assert.deepEqual(effects.slice(0, 3), ['SEND_RESP(bye-ws,200)', 'STOP_MEDIA(rpf)', 'SEND_REQ(rpf,BYE)']);
});

test('CLS-table: classifyBye is a pure function of leg kind, IWF side and Reason', () => {
  const r = (v: string) => parseReason(v === '-' ? [] : [v]);
  assert.equal(classifyBye({ kind: 'CLIENT' }, r('-')).next, 'BYE-1');
  assert.equal(classifyBye({ kind: 'REMOTE_PF' }, r('SIP;cause=410')).branch, 'CLS-7');
  assert.equal(classifyBye({ kind: 'IWF', iwfSide: 'SERVED' }, r('RELEASE_CAUSE;cause=1')).branch, 'CLS-9');
  assert.equal(classifyBye({ kind: 'IWF', iwfSide: 'SERVED' }, r('SIP;cause=abc')).branch, 'CLS-10');
  assert.equal(classifyBye({ kind: 'CLIENT' }, r(';;')).branch, 'CLS-3');
});
