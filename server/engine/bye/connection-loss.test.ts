import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../effects';
import { onConfNotify } from '../participants/pin';
import { ALICE, BOB, G1, G3, G3_POLICY, GROUP, O1, P, R1, T0, answer, byeOn, chatItem, fire, leg, msrpOn, pol, run, sigs } from './fixtures';
import { handleBye } from './handle-bye';

const S503 = 'SIP;cause=503';
const REMAIN = ['RELEASE_MEDIA(c1)', 'SUBSCRIBE_CONF(S,3600)', 'SEND_RESP(bye-c1,200)', 'SET_MODE(REMAIN_DISCONNECTED)'];

test('BYE-4-R-a: G1, P(aos), BYE(503) on c1: release c1, SUBSCRIBE to the group, 200→c1, no BYE to cf, REMAIN, intercept on', () => {
  const out = handleBye(G1(), byeOn('c1', S503), P('aos'), pol(), T0);
  assert.deepEqual(sigs(out.effects), REMAIN);
  const sub = out.effects[1];
  assert.ok(sub.kind === 'SUBSCRIBE_CONF' && sub.uri === GROUP && sub.headers?.Event === 'conference');
  assert.equal(out.session?.mode, 'REMAIN_DISCONNECTED');
  assert.equal(out.session?.interceptEnabled, true);
  assert.equal(out.session?.legs.find((l) => l.id === 'cf')?.state, 'CONNECTED');
});

test('BYE-4-R-ans: answerNetworkByeImmediately=true: 200→c1 waits on nothing; no BYE on the cf leg at all', () => {
  const out = handleBye(G1(), byeOn('c1', S503), P('aos'), pol({ answerNetworkByeImmediately: true }), T0);
  assert.ok(out.effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'bye-c1' && e.code === 200));
  assert.ok(!out.effects.some((e) => (e.kind === 'SEND_REQ' || e.kind === 'STOP_MEDIA') && JSON.stringify(e).includes('cf')));
  assert.ok(!out.effects.some((e) => e.kind === 'START_TIMER'));
  assert.deepEqual(out.session?.bye?.outstanding, {});
});

test('BYE-4-R-b: P(as): same as BYE-4-R-a', () => {
  const out = handleBye(G1(), byeOn('c1', S503), P('as'), pol(), T0);
  assert.deepEqual(sigs(out.effects), REMAIN);
  assert.equal(out.session?.interceptEnabled, true);
});

test('BYE-4-R-c: P(ad): same; intercepted items then go to DEFER', () => {
  const { outs } = run(G1(), P('ad'), pol(), [{ input: byeOn('c1', S503) }, { input: msrpOn('cf', chatItem()), at: 100 }]);
  assert.deepEqual(sigs(outs[0].effects), REMAIN);
  assert.deepEqual(sigs(outs[1].effects), ['MSRP_RESP(tx-1,200)', 'DEFER(CHAT_MESSAGE,m5)']);
});

test('BYE-4-R-d: P(-), allowLongLivedGroupRestart=true: remain + SUBSCRIBE; interceptEnabled=false', () => {
  const out = handleBye(G1(), byeOn('c1', S503), P(), pol({ allowLongLivedGroupRestart: true }), T0);
  assert.deepEqual(sigs(out.effects), REMAIN);
  assert.equal(out.session?.interceptEnabled, false);
  assert.equal(out.session?.mode, 'REMAIN_DISCONNECTED');
});

test('BYE-4-R-sub: the PF own subscription already active: no second SUBSCRIBE', () => {
  const out = handleBye(G1({ confSubscription: { state: 'ACTIVE' } }), byeOn('c1', S503), P('aos'), pol(), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c1)', 'SEND_RESP(bye-c1,200)', 'SET_MODE(REMAIN_DISCONNECTED)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-4-R-i' && d.outcome === 'ALREADY_SUBSCRIBED'));
});

test('BYE-4-R-i-relayed: the only subscription was c1 (relayed roster): the PF subscribes itself', () => {
  const s = G1();
  assert.equal(s.participants.source, 'RELAYED');
  assert.equal(s.confSubscription, undefined);
  const out = handleBye(s, byeOn('c1', S503), P('aos'), pol(), T0);
  assert.ok(sigs(out.effects).includes('SUBSCRIBE_CONF(S,3600)'));
  assert.equal(out.session?.confSubscription?.state, 'PENDING');
});

test('BYE-4-R-ii-rec: R1, P(aos), chat message from cf: MSRP 200 by the PF; RECORD_OBJECT; no IMDN-GEN', () => {
  const out = handleBye(R1(true), msrpOn('cf', chatItem()), P('aos'), pol(), T0);
  assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)', 'RECORD_OBJECT(f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789,MESSAGE)']);
  const rec = out.effects[1];
  assert.ok(rec.kind === 'RECORD_OBJECT' && rec.object.headers['IMDN-Message-ID'] === 'm5' && rec.object.headers['Message-Direction'] === 'received');
  assert.ok(!out.decisions.some((d) => d.procedure === 'IMDN-GEN'));
});

test('BYE-4-R-ii-imdn: R1, P(as), an IMDN from cf: MSRP 200; RECORD_OBJECT(imdn)', () => {
  const out = handleBye(R1(true), msrpOn('cf', chatItem({ kind: 'IMDN', contentType: 'message/cpim', messageId: 'n1' })), P('as'), pol(), T0);
  assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)', 'RECORD_OBJECT(f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789,IMDN)']);
});

test('BYE-4-R-ii-def: R1, P(ad), chat message: MSRP 200; DEFER; no RECORD_OBJECT', () => {
  const out = handleBye(R1(true), msrpOn('cf', chatItem()), P('ad'), pol(), T0);
  assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)', 'DEFER(CHAT_MESSAGE,m5)']);
  const d = out.effects[1];
  assert.ok(d.kind === 'DEFER' && d.item.servedUser === ALICE && d.item.sessionId === 'S');
});

test('BYE-4-R-ii-both: R1, P(ad,aos): DEFER and RECORD_OBJECT', () => {
  const out = handleBye(R1(true), msrpOn('cf', chatItem()), P('ad', 'aos'), pol(), T0);
  assert.deepEqual(new Set(out.effects.map((e) => e.kind)), new Set(['MSRP_RESP', 'DEFER', 'RECORD_OBJECT']));
});

const dOnly = pol({ allowLongLivedGroupRestart: true });

test('BYE-4-R-ii-d: R1 by (d) only, m5 asks negative-delivery: MSRP 200; no DEFER/RECORD; CACHE_PUT then MESSAGE <failed/> to bob', () => {
  const out = handleBye(R1(false), msrpOn('cf', chatItem()), P(), dOnly, T0);
  assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)', `CACHE_PUT(TX,${ALICE}|${BOB}|m5,delivery,failed)`, 'SEND_REQ(core,MESSAGE)']);
  const msg = out.effects[2];
  assert.ok(msg.kind === 'SEND_REQ');
  assert.equal(msg.uri, BOB);
  assert.match(msg.body!, /<message-id>m5<\/message-id>/);
  assert.match(msg.body!, /<failed\/>/);
  assert.doesNotMatch(msg.body!, /Disposition-Notification/);
  assert.ok(out.decisions.some((d) => d.branch === 'IMDN-GEN-1'));
});

test('BYE-4-R-ii-d-x: DN positive-delivery, display (no negative-delivery): MSRP 200 only, no IMDN', () => {
  const out = handleBye(R1(false), msrpOn('cf', chatItem({ dispositionNotification: ['positive-delivery', 'display'] })), P(), dOnly, T0);
  assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)']);
});

test('BYE-4-R-ii-d-imdn: an IMDN or an isComposing under (d): MSRP 200; nothing generated', () => {
  for (const kind of ['IMDN', 'IS_COMPOSING'] as const) {
    const out = handleBye(R1(false), msrpOn('cf', chatItem({ kind })), P(), dOnly, T0);
    assert.deepEqual(sigs(out.effects), ['MSRP_RESP(tx-1,200)'], kind);
  }
});

test('BYE-4-R-ii-d-route: m5 with IMDN-Record-Route: the <failed/> goes to that URI with a matching imdn.IMDN-Route', () => {
  const route = '<sip:grp-7f3a91@cpm-cf.alpha.example>';
  const out = handleBye(R1(false), msrpOn('cf', chatItem({ imdnRecordRoute: [route] })), P(), dOnly, T0);
  const msg = out.effects.find((e): e is Extract<Effect, { kind: 'SEND_REQ' }> => e.kind === 'SEND_REQ');
  assert.equal(msg?.uri, 'sip:grp-7f3a91@cpm-cf.alpha.example');
  assert.match(msg!.body!, /^imdn\.IMDN-Route: <sip:grp-7f3a91@cpm-cf\.alpha\.example>$/m);
  assert.match(msg!.body!, /^To: <sip:\+15551230002@ims\.alpha\.example>$/m);
});

test('BYE-4-R-iii-1: R1, P(aos), BYE(480) on cf = BYE-2-R', () => {
  const out = handleBye(R1(true), byeOn('cf', 'SIP;cause=480'), P('aos'), pol(), T0);
  assert.deepEqual(sigs(out.effects), ['RECORD_SESSION(S)', 'SEND_RESP(bye-cf,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-2-R'));
});

test('BYE-4-R-iii-2: R1, P(ad), two deferred chat messages; the client rejoins: bound to cf, deferred delivered, ACTIVE', () => {
  const newLeg = leg('c1b', 'CLIENT');
  const { outs, session } = run(R1(true), P('ad'), pol(), [
    { input: msrpOn('cf', chatItem({ messageId: 'm1' }), 'tx-1') },
    { input: msrpOn('cf', chatItem({ messageId: 'm2' }), 'tx-2'), at: 10 },
    { input: { kind: 'CLIENT_REJOINED', leg: newLeg, requestUri: `<${GROUP}>`, txn: 'inv-1' }, at: 1000 },
  ]);
  const e = outs[2].effects;
  assert.ok(!e.some((x) => x.kind === 'SEND_REQ' && x.leg === 'cf'));
  const sends = e.filter((x) => x.kind === 'SEND_REQ' && x.leg === 'c1b');
  assert.equal(sends.length, 2);
  assert.ok(sigs(e).includes('SET_MODE(ACTIVE)'));
  assert.equal(session?.mode, 'ACTIVE');
  assert.equal(session?.legs.find((l) => l.id === 'cf')?.state, 'CONNECTED');
  assert.deepEqual(session?.bye?.deferred, []);
});

test('BYE-4-R-iii-2b: after the re-join, BYE(200) on the new client leg → BYE-1 (BYE to cf)', () => {
  const { outs } = run(R1(true), P('ad'), pol(), [
    { input: { kind: 'CLIENT_REJOINED', leg: leg('c1b', 'CLIENT'), contributionId: 'abcdef12-3456-7890-abcd-ef0123456789' } },
    { input: byeOn('c1b', 'SIP;cause=200'), at: 100 },
  ]);
  assert.ok(outs[1].decisions.some((d) => d.branch === 'BYE-1a'));
  assert.ok(sigs(outs[1].effects).includes('SEND_REQ(cf,BYE)'));
});

test('BYE-4-R-iii-3: R1, P(as), NOTIFY terminated;reason=noresource → PIN-N5 GSO; the PF still waits for the cf BYE', () => {
  const s = R1(true, { confSubscription: { state: 'ACTIVE', dialog: { callId: 'sub-1', localTag: 'pfsub1', remoteTag: 'cfsub9' } } });
  const ntf = onConfNotify({
    session: s,
    request: { method: 'NOTIFY', uri: 'sip:cpm-pf.alpha.example', headers: { 'call-id': ['sub-1'], from: [`<${GROUP}>;tag=cfsub9`], to: [`<${ALICE}>;tag=pfsub1`], event: ['conference'], 'subscription-state': ['terminated;reason=noresource'] }, body: '' },
    txn: 'ntf-1',
    target: { kind: 'OWN' },
    policy: pol(),
    prefs: P('as'),
    now: T0,
    newMessageId: 'Gso1',
  });
  assert.ok(ntf.effects.some((e) => e.kind === 'STORE_GSO'));
  assert.equal(ntf.session?.mode, 'REMAIN_DISCONNECTED');
  assert.equal(ntf.session?.legs.find((l) => l.id === 'cf')?.state, 'CONNECTED');
  // the CF's BYE that follows is still handled as BYE-2-R
  const bye = handleBye(ntf.session, byeOn('cf', 'SIP;cause=410'), P('as'), pol(), T0 + 50);
  assert.ok(bye.decisions.some((d) => d.branch === 'BYE-2-R'));
  assert.equal(sigs(bye.effects)[0], 'SEND_RESP(bye-cf,200)');
});

test('BYE-4-P: G1, P(-): 200→c1 at once; BYE to cf with Reason 503; release all after the cf answer; RELEASED', () => {
  const { outs, session } = run(G1(), P(), pol({ allowLongLivedGroupRestart: false }), [
    { input: byeOn('c1', S503) },
    { input: answer('cf', 200), at: 60 },
  ]);
  assert.deepEqual(sigs(outs[0].effects), ['SEND_RESP(bye-c1,200)', 'STOP_MEDIA(cf)', 'SEND_REQ(cf,BYE)', 'START_TIMER(bye-relay,5000)']);
  const req = outs[0].effects[2];
  assert.ok(req.kind === 'SEND_REQ' && JSON.stringify(req.headers.Reason) === JSON.stringify([S503]));
  assert.ok(!sigs(outs[0].effects).includes('RELEASE_MEDIA(ALL)'));
  assert.deepEqual(sigs(outs[1].effects), ['CANCEL_TIMER(bye-relay)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-4-P-late: answerNetworkByeImmediately=false: 200→c1 only after the cf answer (or the timeout)', () => {
  const policy = pol({ answerNetworkByeImmediately: false });
  const { outs } = run(G1(), P(), policy, [{ input: byeOn('c1', S503) }, { input: answer('cf', 200), at: 60 }]);
  assert.ok(!outs[0].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
  const timeout = run(G1(), P(), policy, [{ input: byeOn('c1', S503) }, { input: fire('bye-relay'), at: 5000 }]);
  assert.equal(sigs(timeout.outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
});

test('BYE-4-P-1to1: O1, P(aos): propagate: BYE to rpf, 200→c1; no remain, no SUBSCRIBE', () => {
  const out = handleBye(O1(), byeOn('c1', S503), P('aos'), pol(), T0);
  const e = sigs(out.effects);
  assert.ok(e.includes('SEND_REQ(rpf,BYE)'));
  assert.ok(e.includes('SEND_RESP(bye-c1,200)'));
  assert.ok(!e.some((x) => x.startsWith('SUBSCRIBE')));
  assert.notEqual(out.session?.mode, 'REMAIN_DISCONNECTED');
});

test('BYE-4-R-1to1: O1, P(aos), remainOnConnectionLossFor1to1: remain; release c1; 200; no BYE to rpf; no SUBSCRIBE', () => {
  const out = handleBye(O1(), byeOn('c1', S503), P('aos'), pol({ remainOnConnectionLossFor1to1: true }), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c1)', 'SEND_RESP(bye-c1,200)', 'SET_MODE(REMAIN_DISCONNECTED)']);
  assert.equal(out.session?.mode, 'REMAIN_DISCONNECTED');
});

test('BYE-4-vs-1b: G3, P(aos), BYE(503) on c1 with c2, c3 connected: BYE-1b-i-B isolation, not BYE-4', () => {
  const out = handleBye(G3(), byeOn('c1', S503), P('aos'), pol(G3_POLICY), T0);
  assert.ok(!out.effects.some((e) => e.kind === 'SUBSCRIBE_CONF'));
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-1b-i-B'));
  assert.ok(!out.decisions.some((d) => d.branch.startsWith('BYE-4')));
  assert.equal(out.session?.mode, 'ACTIVE');
});

test('BYE-4-last: G3 after c2 and c3 were isolated; BYE(503) on c1 → BYE-4-R', () => {
  const { outs, session } = run(G3(), P('aos'), pol(G3_POLICY), [
    { input: byeOn('c2', S503) },
    { input: byeOn('c3', S503), at: 10 },
    { input: byeOn('c1', S503), at: 20 },
  ]);
  assert.equal(outs[0].decisions.find((d) => d.branch === 'BYE-1b-i-B')?.outcome, 'CLIENT_LEG_ERROR');
  assert.equal(outs[1].decisions.find((d) => d.branch === 'BYE-1b-i-B')?.outcome, 'CLIENT_LEG_ERROR');
  assert.deepEqual(sigs(outs[2].effects), REMAIN);
  assert.equal(session?.mode, 'REMAIN_DISCONNECTED');
});
