// D-165: a client's MSRP connection lost without a BYE is the client's connection loss (as CLS-3):
// BYE-4 decides remain or propagate, BYE-1b-i-B applies with another device, the client's dialog is
// ended by the PF; nothing for a leg already ended. D-267: a network leg's lost connection is that
// side's release (cause 503).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MediaConnectionLost } from './inputs';
import { G1, G3, G3_POLICY, I1, P, R1, T0, branches, chatItem, msrpOn, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';
import { MEDIA_LOST_REASON } from './media-lost';

const lost = (legId: string): MediaConnectionLost => ({ kind: 'MEDIA_CONNECTION_LOST', legId, reason: 'connection closed' });

test('CLS-MSRP, BYE-4-R: the last client\'s MSRP connection is lost in a group with allow-defer: the PF ends its dialog (BYE 503), stays and intercepts; no BYE to the CF, no response to send', () => {
  const { outs, session } = run(G1(), P('ad'), pol(), [{ input: lost('c1') }, { input: msrpOn('cf', chatItem()), at: 100 }]);
  const e = sigs(outs[0].effects);
  assert.equal(e[0], 'STOP_MEDIA(c1)');
  assert.match(e[1], /^SEND_REQ\(c1,BYE/);
  assert.ok(e.includes('SET_MODE(REMAIN_DISCONNECTED)'), e.join(' '));
  assert.ok(!e.some((x) => x.startsWith('SEND_RESP')), 'there is no BYE to answer');
  assert.ok(!e.some((x) => x.includes('cf')), 'nothing toward the CF');
  const bye = outs[0].effects.find((x) => x.kind === 'SEND_REQ');
  assert.ok(bye?.kind === 'SEND_REQ' && JSON.stringify(bye.headers).includes('cause=503'));
  assert.deepEqual(branches(outs[0]).filter((b) => b === 'CLS-MSRP' || b === 'BYE-4-R'), ['CLS-MSRP', 'BYE-4-R']);
  assert.equal(session?.mode, 'REMAIN_DISCONNECTED');
  assert.deepEqual(sigs(outs[1].effects), ['MSRP_RESP(tx-1,200)', 'DEFER(CHAT_MESSAGE,m5)']);
});

test('CLS-MSRP, BYE-4-P: with no preference to stay the release is passed on to the CF, and nothing waits on an answer to the PF', () => {
  const out = handleBye(G1(), lost('c1'), P(), pol(), T0);
  assert.ok(branches(out).includes('BYE-4-P'));
  assert.ok(sigs(out.effects).some((x) => x.startsWith('SEND_REQ(cf,BYE')));
  assert.ok(!sigs(out.effects).some((x) => x.startsWith('SEND_RESP')));
  const bye = out.effects.find((x) => x.kind === 'SEND_REQ' && x.leg === 'cf');
  assert.ok(bye?.kind === 'SEND_REQ' && JSON.stringify(bye.headers).includes(MEDIA_LOST_REASON.replace(/"/g, '\\"')), 'the CF learns why');
});

test('CLS-MSRP, BYE-1b-i-B: with another device connected only the lost one ends', () => {
  const out = handleBye(G3(), lost('c1'), P('ad'), pol(G3_POLICY), T0);
  assert.deepEqual(branches(out), ['CLS-MSRP', 'BYE-1b-i-B']);
  assert.equal(out.session?.mode, 'ACTIVE');
  assert.ok(!sigs(out.effects).some((x) => x.startsWith('SEND_RESP')));
});

test('property CLS-MSRP: a lost connection on an unknown or ended leg, or in a released session, changes nothing', () => {
  fc.assert(fc.property(fc.constantFrom('cf', 'nope', 'c1'), fc.boolean(), (legId, released) => {
    const s = G1();
    if (legId === 'c1') s.legs.find((l) => l.id === 'c1')!.state = 'TERMINATED';
    if (legId === 'cf' && !released) return; // a connected network leg: see below
    if (released) s.mode = 'RELEASED';
    const out = handleBye(s, lost(legId), P('ad'), pol(), T0);
    assert.deepEqual(out.effects, []);
    assert.deepEqual(branches(out), ['CLS-MSRP']);
    assert.equal(out.decisions[0].outcome, 'IGNORED');
    assert.deepEqual(out.session?.legs, s.legs);
  }));
});

test('D-267, CLS-MSRP, CLS-7, BYE-2a: the CF\'s MSRP connection is lost without a BYE: a release by the CF with cause 503; the PF ends the CF\'s dialog and BYEs the client, nothing to answer', () => {
  const out = handleBye(G1(), lost('cf'), P(), pol(), T0);
  assert.deepEqual(branches(out).slice(0, 2), ['CLS-MSRP', 'CLS-7']);
  assert.equal(out.decisions[0].outcome, 'REMOTE_RELEASE');
  assert.ok(branches(out).includes('BYE-2a'), branches(out).join(' '));
  const e = sigs(out.effects);
  assert.ok(e.some((x) => x.startsWith('SEND_REQ(cf,BYE')), e.join(' '));
  assert.ok(e.some((x) => x.startsWith('SEND_REQ(c1,BYE')), e.join(' '));
  assert.ok(!e.some((x) => x.startsWith('SEND_RESP')), 'no BYE arrived, nothing to answer');
  const toCf = out.effects.find((x) => x.kind === 'SEND_REQ' && x.leg === 'cf');
  assert.ok(toCf?.kind === 'SEND_REQ' && JSON.stringify(toCf.headers).includes('cause=503'));
});

test('property D-267: whatever the preferences and whether the PF stands in for the user, a network leg\'s lost media ends that leg with the PF\'s BYE 503 and answers nothing', () => {
  const flags = fc.subarray<'ad' | 'as' | 'aos'>(['ad', 'as', 'aos']);
  fc.assert(fc.property(flags, fc.boolean(), (f, remain) => {
    const s = remain ? R1(true) : G1();
    const out = handleBye(s, lost('cf'), P(...f), pol(), T0);
    const e = sigs(out.effects);
    assert.equal(e.filter((x) => x.startsWith('SEND_REQ(cf,BYE')).length, 1, e.join(' '));
    assert.ok(!e.some((x) => x.startsWith('SEND_RESP')), e.join(' '));
    assert.equal(out.decisions[0].outcome, 'REMOTE_RELEASE');
    assert.notEqual(out.session?.legs.find((l) => l.id === 'cf')?.state, 'CONNECTED');
    if (remain) assert.ok(branches(out).includes('BYE-2-R'), branches(out).join(' '));
  }));
});

test('D-267, CLS-MSRP, CLS-8, BYE-3b: a remote IWF\'s lost media closes the interworked session as its hang-up would', () => {
  const out = handleBye(I1(), lost('w1'), P(), pol(), T0);
  assert.deepEqual(branches(out).slice(0, 2), ['CLS-MSRP', 'CLS-8']);
  assert.equal(out.decisions[0].outcome, 'IWF_RELEASE');
  assert.ok(branches(out).includes('BYE-3b'), branches(out).join(' '));
  assert.ok(sigs(out.effects).some((x) => x.startsWith('SEND_REQ(w1,BYE')));
  assert.ok(!sigs(out.effects).some((x) => x.startsWith('SEND_RESP')));
});
