import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../effects';
import { BOB, G1, G3, G3_POLICY, I1, I2, O1, P, S1, T0, answer, byeOn, fire, leg, pol, roster, run, sigs, ALICE, CAROL } from './fixtures';
import { handleBye } from './handle-bye';

const sendReq = (effects: Effect[], legId: string) =>
  effects.find((e): e is Extract<Effect, { kind: 'SEND_REQ' }> => e.kind === 'SEND_REQ' && e.leg === legId);

test('BYE-1-G: G1, P(-): release c1, BYE to cf with Reason, 200→c1 after cf 200, then release all (ordered)', () => {
  const { outs, session } = run(G1(), P(), pol(), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('cf', 200), at: 80 },
  ]);
  assert.deepEqual(sigs(outs[0].effects), ['RELEASE_MEDIA(c1)', 'STOP_MEDIA(cf)', 'SEND_REQ(cf,BYE)', 'START_TIMER(bye-relay,5000)']);
  assert.deepEqual(sendReq(outs[0].effects, 'cf')?.headers.Reason, ['SIP;cause=200']);
  assert.deepEqual(sigs(outs[1].effects), ['SEND_RESP(bye-c1,200)', 'CANCEL_TIMER(bye-relay)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-1-O: O1: BYE to rpf; 200→c1 only after rpf 200; release all', () => {
  const { outs, session } = run(O1(), P(), pol(), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('rpf', 200), at: 40 },
  ]);
  assert.ok(sigs(outs[0].effects).includes('SEND_REQ(rpf,BYE)'));
  assert.ok(!outs[0].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.deepEqual(sigs(outs[1].effects).filter((e) => !e.startsWith('CANCEL')), ['SEND_RESP(bye-c1,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-1a: RELEASE_MEDIA([c1]) comes before any other effect', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200'), P('aos'), pol(), T0);
  assert.deepEqual(out.effects[0], { kind: 'RELEASE_MEDIA', legs: ['c1'] });
  assert.equal(out.session?.legs.find((l) => l.id === 'c1')?.state, 'TERMINATED');
});

function multiDevice(id: string, reason: string) {
  test(`${id}: G3, BYE(${reason}) on c1: BYE to c2, c3 and cf, each from its own dialog`, () => {
    const out = handleBye(G3(), byeOn('c1', reason), P(), pol(G3_POLICY), T0);
    const e = sigs(out.effects).filter((x) => x.startsWith('SEND_REQ'));
    assert.deepEqual(e, ['SEND_REQ(c2,BYE)', 'SEND_REQ(c3,BYE)', 'SEND_REQ(cf,BYE)']);
    for (const l of ['c2', 'c3']) {
      const h = sendReq(out.effects, l)!.headers;
      assert.equal(h['Call-ID'], `${l}-call@example`);
      assert.equal(h.From, `<sip:grp-7f3a91@cpm-cf.alpha.example>;tag=pf-${l}`);
      assert.equal(h.To, `<sip:+15551230001@ims.alpha.example>;tag=rt-${l}`);
      assert.equal(h.CSeq, '11 BYE');
      assert.equal(sendReq(out.effects, l)!.uri, `sip:${l}@remote.example;transport=tcp`);
      assert.equal(out.session?.legs.find((x) => x.id === l)?.dialog.localCseq, 11);
    }
    assert.ok(out.decisions.some((d) => d.branch === 'BYE-1b-i-A'));
  });
}
multiDevice('BYE-1b-i-A', 'SIP;cause=200');
multiDevice('BYE-1b-i-A-none', '-');
multiDevice('BYE-1b-i-A-q850', 'Q.850;cause=16');

test('BYE-1b-i-B: G3, BYE(503) on c1: release c1, 200→c1, no BYE anywhere, session ACTIVE, CLIENT_LEG_ERROR', () => {
  const out = handleBye(G3(), byeOn('c1', 'SIP;cause=503'), P('aos'), pol(G3_POLICY), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c1)', 'SEND_RESP(bye-c1,200)']);
  assert.equal(out.session?.mode, 'ACTIVE');
  assert.deepEqual(out.session?.legs.map((l) => `${l.id}:${l.state}`), ['cf:CONNECTED', 'c1:TERMINATED', 'c2:CONNECTED', 'c3:CONNECTED']);
  const d = out.decisions.find((x) => x.branch === 'BYE-1b-i-B');
  assert.equal(d?.outcome, 'CLIENT_LEG_ERROR');
  assert.ok(!out.decisions.some((x) => x.branch.startsWith('BYE-4')));
});

test('BYE-1b-i-B-408: G3, BYE(408) on c2: the same isolation for c2', () => {
  const out = handleBye(G3(), byeOn('c2', 'SIP;cause=408'), P(), pol(G3_POLICY), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c2)', 'SEND_RESP(bye-c2,200)']);
  assert.equal(out.decisions.find((x) => x.branch === 'BYE-1b-i-B')?.outcome, 'CLIENT_LEG_ERROR');
  assert.equal(out.session?.legs.find((l) => l.id === 'c1')?.state, 'CONNECTED');
});

test('BYE-1b-i-B-off: isolateClientLegErrors=false: same wire effects, no SUBSCRIBE, decision NETWORK_RELEASE/BYE-4-gate', () => {
  const out = handleBye(G3(), byeOn('c1', 'SIP;cause=503'), P('aos'), pol({ ...G3_POLICY, isolateClientLegErrors: false }), T0);
  assert.deepEqual(sigs(out.effects), ['RELEASE_MEDIA(c1)', 'SEND_RESP(bye-c1,200)']);
  assert.equal(out.session?.mode, 'ACTIVE');
  assert.equal(out.session?.legs.filter((l) => l.state === 'CONNECTED').length, 3);
  const d = out.decisions.find((x) => x.branch === 'BYE-1b-i-B');
  assert.equal(d?.outcome, 'NETWORK_RELEASE/BYE-4-gate');
  assert.ok(!out.decisions.some((x) => x.outcome === 'CLIENT_LEG_ERROR'));
});

test('BYE-1b-i-B-off-last: c2, c3 lost before by the false path; BYE(503) on c1 → BYE-4-R', () => {
  const policy = pol({ ...G3_POLICY, isolateClientLegErrors: false });
  const { outs, session } = run(G3(), P('aos'), policy, [
    { input: byeOn('c2', 'SIP;cause=503') },
    { input: byeOn('c3', 'SIP;cause=503'), at: 10 },
    { input: byeOn('c1', 'SIP;cause=503'), at: 20 },
  ]);
  assert.equal(outs[1].decisions.find((x) => x.branch === 'BYE-1b-i-B')?.outcome, 'NETWORK_RELEASE/BYE-4-gate');
  assert.deepEqual(sigs(outs[2].effects), ['RELEASE_MEDIA(c1)', 'SUBSCRIBE_CONF(S,3600)', 'SEND_RESP(bye-c1,200)', 'SET_MODE(REMAIN_DISCONNECTED)']);
  assert.equal(session?.mode, 'REMAIN_DISCONNECTED');
});

test('BYE-1b-skip: G1 (one client) with directDeliveryToAllClients=true: no client BYE, BYE to cf only', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200'), P(), pol(G3_POLICY), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND_REQ')), ['SEND_REQ(cf,BYE)']);
  assert.ok(!out.decisions.some((d) => d.branch === 'BYE-1b-i-A'));
});

test('BYE-1b-pol: G3 with directDeliveryToAllClients switched off: BYE to c2, c3 and cf anyway (AMB-27)', () => {
  const out = handleBye(G3(), byeOn('c1', 'SIP;cause=200'), P(), pol({ directDeliveryToAllClients: false }), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND_REQ')), ['SEND_REQ(c2,BYE)', 'SEND_REQ(c3,BYE)', 'SEND_REQ(cf,BYE)']);
});

test('BYE-1b-iii: after BYE-1b-i-A, 200 from c2 → RELEASE_MEDIA([c2])', () => {
  const { outs } = run(G3(), P(), pol(G3_POLICY), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('c2', 200), at: 30 }]);
  assert.deepEqual(sigs(outs[1].effects), ['RELEASE_MEDIA(c2)']);
  assert.equal(outs[1].decisions[0].branch, 'BYE-1b-iii');
  assert.equal(outs[1].session?.legs.find((l) => l.id === 'c2')?.state, 'TERMINATED');
});

test('BYE-1b-iii-481: after BYE-1b-i-A, 481 from c3 → RELEASE_MEDIA([c3]) (dialog gone)', () => {
  const { outs } = run(G3(), P(), pol(G3_POLICY), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('c3', 481), at: 30 }]);
  assert.deepEqual(sigs(outs[1].effects), ['RELEASE_MEDIA(c3)']);
  assert.equal(outs[1].session?.legs.find((l) => l.id === 'c3')?.state, 'TERMINATED');
});

test('BYE-1c: I2, P(-): BYE to w1 and w2; no other CPM-entity BYE', () => {
  const out = handleBye(I2(), byeOn('c1', 'SIP;cause=200'), P(), pol(), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND_REQ')), ['SEND_REQ(w1,BYE)', 'SEND_REQ(w2,BYE)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-1c'));
});

test('BYE-1c-1: I1: BYE to w1; 200→c1 after w1 200', () => {
  const { outs } = run(I1(), P(), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('w1', 200), at: 30 }]);
  assert.deepEqual(sigs(outs[0].effects).filter((x) => x.startsWith('SEND')), ['SEND_REQ(w1,BYE)']);
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
});

test('BYE-1d: G1: BYE to cf, no IWF BYE', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200'), P(), pol(), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND_REQ')), ['SEND_REQ(cf,BYE)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-1d'));
});

test('BYE-1cd-both: G1 plus a REMOTE IWF leg w1 (interworked): BYE to w1 and cf (AMB-4)', () => {
  const s = G1({ interworked: true });
  s.legs.push(leg('w1', 'IWF', { iwfSide: 'REMOTE' }));
  const out = handleBye(s, byeOn('c1', 'SIP;cause=200'), P(), pol(), T0);
  assert.deepEqual(sigs(out.effects).filter((x) => x.startsWith('SEND_REQ')).sort(), ['SEND_REQ(cf,BYE)', 'SEND_REQ(w1,BYE)']);
  assert.ok(out.decisions.some((d) => d.branch === 'BYE-1cd-both'));
});

test('BYE-1e-wait: I2: w1 answers, w2 not yet → no 200→c1', () => {
  const { outs } = run(I2(), P(), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('w1', 200), at: 30 }]);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.deepEqual(sigs(outs[1].effects), ['RELEASE_MEDIA(w1)']);
});

test('BYE-1e-all: I2: then w2 answers 200 → 200→c1', () => {
  const { outs } = run(I2(), P(), pol(), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('w1', 200), at: 30 },
    { input: answer('w2', 200), at: 60 },
  ]);
  assert.equal(sigs(outs[2].effects)[0], 'SEND_RESP(bye-c1,200)');
});

test('BYE-1e-i: the 200→c1 copies Via, From, To, Call-ID and CSeq of c1 BYE, with Content-Length 0', () => {
  const { outs } = run(G1(), P(), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  const resp = outs[1].effects.find((e) => e.kind === 'SEND_RESP');
  assert.deepEqual(resp, {
    kind: 'SEND_RESP',
    txn: 'bye-c1',
    code: 200,
    reason: 'OK',
    headers: {
      Via: ['SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKe8bye1'],
      From: '<sip:+15551230001@ims.alpha.example>;tag=a1c1',
      To: '<sip:grp-7f3a91@cpm-cf.alpha.example>;tag=pfc1',
      'Call-ID': 'c1leg-77a1@192.0.2.10',
      CSeq: '5 BYE',
      'Content-Length': '0',
    },
  });
});

test('BYE-1e-408: cf answers 408 → 200→c1 (408 counts as done)', () => {
  const { outs, session } = run(G1(), P(), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 408), at: 30 }]);
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-1e-timeout: cf never answers → at byeRelayTimeoutMs 200→c1; a late answer changes nothing', () => {
  const { outs, session } = run(G1(), P(), pol({ byeRelayTimeoutMs: 5000 }), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: fire('bye-relay'), at: 5000 },
    { input: answer('cf', 408), at: 32000 },
  ]);
  assert.ok(sigs(outs[0].effects).includes('START_TIMER(bye-relay,5000)'));
  assert.deepEqual(sigs(outs[1].effects), ['SEND_RESP(bye-c1,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)']);
  assert.ok(outs[1].decisions.some((d) => d.branch === 'AMB-25'));
  assert.deepEqual(outs[2].effects, []);
  assert.equal(session?.legs.find((l) => l.id === 'cf')?.state, 'TERMINATED');
});

test('BYE-1e-nowait: G3: cf answers while c2 has not: 200→c1 at once (AMB-32)', () => {
  const { outs } = run(G3(), P(), pol(G3_POLICY), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
  const later = run(outs[1].session!, P(), pol(G3_POLICY), [{ input: answer('c2', 200), at: 40 }]);
  assert.deepEqual(later.outs[0].effects, []); // all media already released
});

test('BYE-1e-ii: G1, P(aos): STORE_GSO then 200→c1', () => {
  const { outs } = run(G1(), P('aos'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  const e = sigs(outs[1].effects);
  assert.deepEqual(e.slice(0, 2), ['STORE_GSO(f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789)', 'SEND_RESP(bye-c1,200)']);
  assert.ok(!sigs(outs[0].effects).some((x) => x.startsWith('SUBSCRIBE')));
  const gso = outs[1].effects[0];
  assert.ok(gso.kind === 'STORE_GSO' && gso.body.includes('comm-addr="sip:+15551230002@ims.alpha.example"'));
});

test('BYE-1e-ii-relayed: bob departed in a relayed NOTIFY → no SUBSCRIBE; GSO has alice and carol', () => {
  const s = G1({ participants: roster({ [ALICE]: { name: 'Alice' }, [BOB]: { state: 'disconnected', method: 'departed', left: true }, [CAROL]: {} }) });
  s.participants.version = 4;
  const { outs } = run(s, P('aos'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  assert.ok(!outs[0].effects.some((e) => e.kind === 'SUBSCRIBE_CONF'));
  const gso = outs[1].effects.find((e) => e.kind === 'STORE_GSO');
  assert.ok(gso && gso.kind === 'STORE_GSO');
  const addrs = [...gso.body.matchAll(/comm-addr="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(addrs.sort(), [ALICE, CAROL].sort());
});

test('BYE-1e-ii-fetch: roster source NONE: RELEASE c1, SUBSCRIBE, BYE cf; NOTIFY at 300, cf 200 at 400 → GSO with 3 users, 200, unsubscribe', () => {
  const s = G1({ participants: { version: 0, confActive: true, users: {}, source: 'NONE' } });
  const full = roster({ [ALICE]: {}, [BOB]: {}, [CAROL]: {} }, 'OWN_SUBSCRIPTION');
  const { outs, session } = run(s, P('aos'), pol(), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: { kind: 'CONF_NOTIFY_APPLIED', roster: full }, at: 300 },
    { input: answer('cf', 200), at: 400 },
  ]);
  assert.deepEqual(sigs(outs[0].effects), [
    'RELEASE_MEDIA(c1)',
    'SUBSCRIBE_CONF(S,3600)',
    'STOP_MEDIA(cf)',
    'SEND_REQ(cf,BYE)',
    'START_TIMER(bye-relay,5000)',
    'START_TIMER(gso-roster,2000)',
  ]);
  assert.deepEqual(outs[1].effects, []); // cf has not answered yet
  const e = sigs(outs[2].effects);
  assert.deepEqual(e, [
    'STORE_GSO(f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789)',
    'SEND_RESP(bye-c1,200)',
    'CANCEL_TIMER(bye-relay)',
    'CANCEL_TIMER(gso-roster)',
    'RELEASE_MEDIA(ALL)',
    'SET_MODE(RELEASED)',
    'SUBSCRIBE_CONF(S,0)',
  ]);
  const gso = outs[2].effects[0];
  assert.ok(gso.kind === 'STORE_GSO');
  assert.equal([...gso.body.matchAll(/<participant /g)].length, 3);
  assert.equal(session?.confSubscription?.state, 'TERMINATED');
});

test('BYE-1e-ii-timeout: no NOTIFY, cf 200 at 100 ms → at 2000 ms GSO with no participants, then 200', () => {
  const s = G1({ participants: { version: 0, confActive: true, users: {}, source: 'NONE' } });
  const { outs } = run(s, P('aos'), pol({ gsoRosterTimeoutMs: 2000 }), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('cf', 200), at: 100 },
    { input: fire('gso-roster'), at: 2000 },
  ]);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'SEND_RESP' || e.kind === 'STORE_GSO'));
  const e = sigs(outs[2].effects);
  assert.equal(e[0], 'STORE_GSO(f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789)');
  assert.equal(e[1], 'SEND_RESP(bye-c1,200)');
  const gso = outs[2].effects[0];
  assert.ok(gso.kind === 'STORE_GSO');
  assert.ok(!gso.body.includes('<participant'));
  assert.match(gso.body, /lastfocussessionid="sip:grp-7f3a91@cpm-cf\.alpha\.example" group-type="Closed"/);
});

test('BYE-1e-ii-nofetch: roster NONE but P(as): no SUBSCRIBE, no GSO', () => {
  const s = G1({ participants: { version: 0, confActive: true, users: {}, source: 'NONE' } });
  const { outs } = run(s, P('as'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  const all = [...outs[0].effects, ...outs[1].effects];
  assert.ok(!all.some((e) => e.kind === 'SUBSCRIBE_CONF' || e.kind === 'STORE_GSO'));
});

test('BYE-1e-ii-nf: P(aos) but usesSessionHistoryFolder=false: no GSO; 200→c1', () => {
  const { outs } = run(G1({ usesSessionHistoryFolder: false }), P('aos'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'STORE_GSO'));
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
});

test('BYE-1e-ii-as: P(as): no GSO (only allowOfflineStorage counts)', () => {
  const { outs } = run(G1(), P('as'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'STORE_GSO'));
});

test('BYE-1e-x: P(as,ad) with a history folder: no STORE_GSO; 200→c1 (AMB-32)', () => {
  const { outs } = run(G1(), P('as', 'ad'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('cf', 200), at: 30 }]);
  assert.ok(!outs[1].effects.some((e) => e.kind === 'STORE_GSO'));
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-c1,200)');
  assert.ok(outs[0].decisions.some((d) => d.branch === 'BYE-1e-x' && d.outcome === 'NO_GSO'));
});

test('BYE-1e-ii-1to1: O1, P(aos), history folder: no GSO (AMB-5)', () => {
  const { outs } = run(O1(), P('aos'), pol(), [{ input: byeOn('c1', 'SIP;cause=200') }, { input: answer('rpf', 200), at: 30 }]);
  assert.ok(![...outs[0].effects, ...outs[1].effects].some((e) => e.kind === 'STORE_GSO' || e.kind === 'SUBSCRIBE_CONF'));
});

test('BYE-1f: the PF own subscription active: after 200→c1, release all, SUBSCRIBE Expires 0, mode RELEASED', () => {
  const { outs, session } = run(G1({ confSubscription: { state: 'ACTIVE' } }), P(), pol(), [
    { input: byeOn('c1', 'SIP;cause=200') },
    { input: answer('cf', 200), at: 30 },
  ]);
  const e = sigs(outs[1].effects).filter((x) => !x.startsWith('CANCEL'));
  assert.deepEqual(e, ['SEND_RESP(bye-c1,200)', 'RELEASE_MEDIA(ALL)', 'SET_MODE(RELEASED)', 'SUBSCRIBE_CONF(S,0)']);
  assert.equal(session?.mode, 'RELEASED');
});

test('BYE-1-rsn: the BYE to cf carries the same Reason value', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200;text="Call completed"'), P(), pol(), T0);
  assert.deepEqual(sendReq(out.effects, 'cf')?.headers.Reason, ['SIP;cause=200;text="Call completed"']);
});

test('BYE-1-rsn-off: propagateReasonHeader=false: the BYE to cf has no Reason', () => {
  const out = handleBye(G1(), byeOn('c1', 'SIP;cause=200;text="Call completed"'), P(), pol({ propagateReasonHeader: false }), T0);
  const req = sendReq(out.effects, 'cf');
  assert.ok(req);
  assert.equal('Reason' in req.headers, false);
});

test('BYE-1-S1: S1, BYE(200) on ws: RELEASE_MEDIA([ws]); BYE to rpf; 200→ws after rpf 200', () => {
  const { outs } = run(S1(), P(), pol(), [{ input: byeOn('ws', 'SIP;cause=200') }, { input: answer('rpf', 200), at: 30 }]);
  assert.deepEqual(sigs(outs[0].effects).slice(0, 3), ['RELEASE_MEDIA(ws)', 'STOP_MEDIA(rpf)', 'SEND_REQ(rpf,BYE)']);
  assert.ok(!outs[0].effects.some((e) => e.kind === 'SEND_RESP'));
  assert.equal(sigs(outs[1].effects)[0], 'SEND_RESP(bye-ws,200)');
});
