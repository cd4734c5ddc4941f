import { test } from 'node:test';
import assert from 'node:assert/strict';
import { G1, P, T0, answer, byeOn, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';

test('BYE-0a: a BYE for no session / unknown Call-ID gets 481 and nothing else', () => {
  const none = handleBye(undefined, { ...byeOn('c1', 'SIP;cause=200'), legId: undefined }, P(), pol(), T0);
  assert.deepEqual(sigs(none.effects), ['SEND_RESP(bye-c1,481)']);
  assert.equal(none.decisions[0].branch, 'BYE-0a');
  // a session exists but no leg's dialog matches
  const s = G1();
  const unknown = handleBye(s, { ...byeOn('zz', 'SIP;cause=200') }, P(), pol(), T0);
  assert.deepEqual(sigs(unknown.effects), ['SEND_RESP(bye-zz,481)']);
  assert.deepEqual(unknown.session, s);
});

test('BYE-0b: a retransmission of an answered BYE runs no decision logic again', () => {
  const { outs } = run(G1(), P(), pol(), [
    { input: byeOn('c1', 'SIP;cause=200', 'txn-A') },
    { input: answer('cf', 200), at: 50 },
    { input: byeOn('c1', 'SIP;cause=200', 'txn-A'), at: 60 },
  ]);
  assert.ok(outs[1].effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'txn-A' && e.code === 200));
  assert.deepEqual(outs[2].effects, []);
  assert.deepEqual(outs[2].decisions.map((d) => d.branch), ['BYE-0b']);
  assert.equal(outs[2].session?.mode, 'RELEASED');
});

test('BYE-0c: a pending re-INVITE from c1 gets 487 first, then the BYE-1 effects', () => {
  const s = G1({ pendingServerTxns: [{ legId: 'c1', txn: 'reinv-1', method: 'INVITE' }] });
  const out = handleBye(s, byeOn('c1', 'SIP;cause=200'), P(), pol(), T0);
  assert.deepEqual(sigs(out.effects), [
    'SEND_RESP(reinv-1,487)',
    'RELEASE_MEDIA(c1)',
    'STOP_MEDIA(cf)',
    'SEND_REQ(cf,BYE)',
    'START_TIMER(bye-relay,5000)',
  ]);
  assert.equal(out.effects[0].kind === 'SEND_RESP' && out.effects[0].reason, 'Request Terminated');
  assert.deepEqual(out.session?.pendingServerTxns, []);
});

test('BYE-0d: BYE arrives on c1 while the PF BYE on c1 is pending: 200→c1, c1 TERMINATED, a later 481 is harmless', () => {
  // the PF sends BYE on c1 because the CF released (BYE-2)
  const { outs, session } = run(G1(), P(), pol(), [
    { input: byeOn('cf', 'SIP;cause=410', 'cf-bye') },
    { input: byeOn('c1', 'SIP;cause=200', 'c1-bye'), at: 10 },
    { input: answer('c1', 481), at: 20 },
  ]);
  const glare = sigs(outs[1].effects);
  assert.equal(glare[0], 'SEND_RESP(c1-bye,200)');
  assert.ok(outs[1].decisions.some((d) => d.branch === 'BYE-0d'));
  assert.equal(outs[1].session?.legs.find((l) => l.id === 'c1')?.state, 'TERMINATED');
  // c1 is gone, so the CF's BYE is answered without waiting any longer
  assert.ok(glare.includes('SEND_RESP(cf-bye,200)'));
  assert.deepEqual(outs[2].effects, []);
  assert.equal(outs[2].decisions[0].branch, 'BYE-0d');
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-P1: proxy mode forwards the BYE from c1 to the cf side; no B2BUA effects', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200'), P('aos'), pol({ pfMode: 'proxy' }), T0);
  assert.deepEqual(sigs(out.effects), ['FWD_REQ(cf)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-P1'));
});

test('BYE-P2: the 200 from the next hop is forwarded back toward c1', () => {
  const { outs, session } = run(G1(), P(), pol({ pfMode: 'proxy' }), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('cf', 200), at: 30 },
  ]);
  assert.deepEqual(sigs(outs[1].effects), ['FWD_RESP(c1)']);
  assert.equal(outs[1].decisions.at(-1)?.branch, 'BYE-P2');
  assert.ok(session?.legs.every((l) => l.state === 'TERMINATED'));
});

test('BYE-P3: proxy mode, BYE(SIP;cause=503) from the client: forwarded, no remain, no SUBSCRIBE, no storage', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=503'), P('aos', 'as', 'ad'), pol({ pfMode: 'proxy', allowLongLivedGroupRestart: true }), T0);
  assert.deepEqual(sigs(out.effects), ['FWD_REQ(cf)']);
  assert.equal(out.session?.mode, 'ACTIVE');
  const cls = out.decisions.find((d) => d.procedure === 'CLS');
  assert.equal(cls?.outcome, 'NETWORK_RELEASE'); // logged only
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-P3' && d.outcome === 'LOG_ONLY'));
});

test('BYE-P3b: proxy mode, BYE(Q.850;cause=16) with P(aos): forwarded unchanged, no B2BUA effect', () => {
  const out = handleBye(G1(), byeOn('c1', 'Q.850;cause=16'), P('aos'), pol({ pfMode: 'proxy' }), T0);
  assert.deepEqual(sigs(out.effects), ['FWD_REQ(cf)']);
  assert.ok(!out.effects.some((e) => ['RECORD_SESSION', 'STORE_GSO', 'SUBSCRIBE_CONF', 'RELEASE_MEDIA', 'SEND_REQ', 'SEND_RESP'].includes(e.kind)));
});

test('BYE-P4: a 481 to the forwarded BYE is forwarded back', () => {
  const { outs } = run(G1(), P(), pol({ pfMode: 'proxy' }), [
    { input: byeOn('c1', '-') },
    { input: answer('cf', 481), at: 30 },
  ]);
  assert.deepEqual(sigs(outs[1].effects), ['FWD_RESP(c1)']);
  assert.equal(outs[1].decisions.at(-1)?.branch, 'BYE-P4');
});
