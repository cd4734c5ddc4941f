import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { confSubscribeEffect, confSubscribeSent, onConfSubscribeResponse, onPinTimer, pinTimerName, startConfSubscription } from './pin';
import { gsoParticipants } from './group-state-object';
import { withPolicy } from '../policy';
import type { CpmSession } from '../model';
import type { Effect } from '../effects';
import { ALICE, BOB, CAROL, E14, E15, E16, GROUP, confDoc } from './conf-fixtures';
import { T0, feed, notify, prefs, r1 } from './pin-fixtures';

const kinds = (r: { effects: Effect[] }) => r.effects.map((e) => e.kind);
const branches = (r: { decisions: { branch: string }[] }) => r.decisions.map((d) => d.branch);
const of = <K extends Effect['kind']>(r: { effects: Effect[] }, k: K) => r.effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === k);
const resp = (r: { effects: Effect[] }) => of(r, 'SEND_RESP').map((e) => e.code);

/** R1 with the E14/E15 history applied: roster {alice, bob (departed while active), carol}. */
function r1WithHistory(): CpmSession {
  let s = r1();
  s = feed(s, notify('active;expires=3600', E14)).session!;
  s = feed(s, notify('active;expires=3540', E15)).session!;
  return s;
}

const noresourceGso = (r: ReturnType<typeof feed>) => {
  const g = of(r, 'STORE_GSO');
  assert.equal(g.length, 1);
  return g[0];
};

test('PIN-S1: the SUBSCRIBE targets the group identity with Event/Accept/Expires; 200 → PENDING_FIRST_NOTIFY', () => {
  const s = r1({ confSubscription: undefined });
  const start = startConfSubscription({ session: s, policy: withPolicy(), now: T0 });
  const sub = of(start, 'SUBSCRIBE_CONF');
  assert.equal(sub.length, 1);
  assert.equal(sub[0].uri, GROUP);
  assert.equal(sub[0].expires, 3600);
  assert.equal(sub[0].inDialog, undefined);
  assert.deepEqual(
    { Event: sub[0].headers?.Event, Accept: sub[0].headers?.Accept, Expires: sub[0].headers?.Expires, From: sub[0].headers?.From },
    { Event: 'conference', Accept: 'application/conference-info+xml', Expires: '3600', From: `<${ALICE}>` },
  );
  assert.equal(start.session.confSubscription?.awaiting, 'RESPONSE');
  const dialog = { callId: 'sub-41f0@cpm-pf.alpha.example', localTag: 'pfsub1', remoteTag: 'cfsub9' };
  const ok = onConfSubscribeResponse({ session: start.session, response: { status: 200, headers: { expires: ['3600'] } }, dialog, policy: withPolicy(), now: T0 });
  assert.equal(ok.session.confSubscription?.state, 'PENDING');
  assert.equal(ok.session.confSubscription?.awaiting, 'FIRST_NOTIFY');
  assert.deepEqual(ok.session.confSubscription?.dialog, dialog);
  assert.deepEqual(of(ok, 'START_TIMER').map((t) => t.timer.name), [pinTimerName('S', 'refresh', 'PIN-S1')]);
  assert.ok(of(ok, 'START_TIMER')[0].ms < 3600_000);
  assert.deepEqual(branches(ok), ['PIN-S1']);
  // no subscription for a 1-1 session (AMB-36 a)
  const one = startConfSubscription({ session: r1({ type: 'ONE_TO_ONE', confSubscription: undefined }), policy: withPolicy(), now: T0 });
  assert.deepEqual(kinds(one), []);
});

test('PIN-S1b: an older CF answering 202 is treated exactly like 200', () => {
  const start = startConfSubscription({ session: r1({ confSubscription: undefined }), policy: withPolicy(), now: T0 });
  const a = onConfSubscribeResponse({ session: start.session, response: { status: 200, headers: {} }, policy: withPolicy(), now: T0 });
  const b = onConfSubscribeResponse({ session: start.session, response: { status: 202, headers: {} }, policy: withPolicy(), now: T0 });
  assert.deepEqual(b.session, a.session);
  assert.deepEqual(b.effects, a.effects);
});

test('PIN-S2-4xx: a 403 is not retried', () => {
  const start = startConfSubscription({ session: r1({ confSubscription: undefined }), policy: withPolicy(), now: T0 });
  const r = onConfSubscribeResponse({ session: start.session, response: { status: 403, headers: {} }, policy: withPolicy(), now: T0 });
  assert.deepEqual(kinds(r), []);
  assert.equal(r.session.confSubscription?.state, 'TERMINATED');
  assert.equal(r.decisions[0].outcome, 'NO_RETRY');
});

test('PIN-S2-423: retried with Expires = Min-Expires', () => {
  const start = startConfSubscription({ session: r1({ confSubscription: undefined }), policy: withPolicy(), now: T0 });
  const r = onConfSubscribeResponse({ session: start.session, response: { status: 423, headers: { 'min-expires': ['7200'] } }, policy: withPolicy(), now: T0 });
  const sub = of(r, 'SUBSCRIBE_CONF');
  assert.equal(sub.length, 1);
  assert.equal(sub[0].expires, 7200);
  assert.equal(sub[0].headers?.Expires, '7200');
});

test('PIN-S2-503: 503 with Retry-After 10 → a single retry after 10 s', () => {
  const start = startConfSubscription({ session: r1({ confSubscription: undefined }), policy: withPolicy(), now: T0 });
  const r = onConfSubscribeResponse({ session: start.session, response: { status: 503, headers: { 'retry-after': ['10'] } }, policy: withPolicy(), now: T0 });
  assert.deepEqual(kinds(r), ['START_TIMER']);
  assert.equal(of(r, 'START_TIMER')[0].ms, 10_000);
  const fired = onPinTimer({ session: r.session, timer: of(r, 'START_TIMER')[0].timer.name, policy: withPolicy(), now: T0 + 10_000 });
  assert.deepEqual(kinds(fired), ['SUBSCRIBE_CONF']);
  // the retry fails again: no second retry
  const again = onConfSubscribeResponse({ session: fired.session, response: { status: 503, headers: { 'retry-after': ['10'] } }, policy: withPolicy(), now: T0 + 11_000 });
  assert.deepEqual(kinds(again), []);
  assert.equal(again.decisions[0].outcome, 'NO_RETRY');
});

test('PIN-N1: a NOTIFY to the own-subscription Contact matching no dialog is answered 481', () => {
  const r = feed(r1(), notify('active', E14, { 'call-id': ['other@x'] }));
  assert.deepEqual(resp(r), [481]);
  assert.deepEqual(branches(r), ['PIN-N1']);
  assert.deepEqual(r.session?.participants, r1().participants);
  const noSession = feed(undefined as unknown as CpmSession, notify('active', E14));
  assert.deepEqual(resp(noSession), [481]);
});

test('PIN-N1b: B2BUA, no client subscription dialog matches → 481', () => {
  const r = feed(r1(), notify('active', E14), { target: { kind: 'RELAY' } });
  assert.deepEqual(resp(r), [481]);
  assert.deepEqual(branches(r), ['PIN-N1']);
});

test('PIN-N1r-b2b: a NOTIFY for c1’s subscription is relayed on c1-sub unchanged and updates the roster (RELAYED)', () => {
  const s = r1({ confSubscription: undefined, mode: 'ACTIVE' });
  const r = feed(s, notify('active;expires=3600', confDoc({ version: 4, active: true, users: [{ entity: ALICE, endpoints: [{ status: 'connected' }] }] })), {
    target: { kind: 'RELAY', clientSubLeg: 'c1-sub' },
  });
  assert.deepEqual(kinds(r), ['SEND_REQ']);
  const sent = of(r, 'SEND_REQ')[0];
  assert.equal(sent.leg, 'c1-sub');
  assert.equal(sent.method, 'NOTIFY');
  assert.equal(sent.headers['Subscription-State'], 'active;expires=3600');
  assert.match(sent.body ?? '', /version="4"/);
  assert.equal(r.session?.participants.source, 'RELAYED');
  assert.equal(r.session?.participants.version, 4);
  assert.deepEqual(Object.keys(r.session!.participants.users), [ALICE]);
  assert.ok(!resp(r).includes(481));
});

// RFC 4575 §4.6: versions count per subscription. Two devices of the user subscribe through the
// PF; the second subscription starts again at version 1. Each NOTIFY is relayed on its own
// client's dialog and every document reaches the session roster.
const DAVE = 'sip:dave@ims.alpha.example';
const user = (entity: string, state?: 'full' | 'partial' | 'deleted') => ({ entity, ...(state ? { state } : {}), endpoints: state === 'deleted' ? [] : [{ status: 'connected' }] });

test('PIN-N1r-b2b, PIN-N2: two relayed subscriptions (c1-sub, c2-sub) count versions apart; the second one’s version 1 and 2 are applied, nobody is lost', () => {
  const relay = (leg: string) => ({ target: { kind: 'RELAY' as const, clientSubLeg: leg } });
  let s = r1({ confSubscription: undefined, mode: 'ACTIVE' });
  const steps: Array<[string, string]> = [
    ['c1-sub', confDoc({ version: 1, active: true, users: [user(ALICE), user(BOB)] })],
    ['c1-sub', confDoc({ version: 2, state: 'partial', users: [user(CAROL, 'full')] })],
    ['c1-sub', confDoc({ version: 3, state: 'partial', users: [user(BOB, 'deleted')] })],
    ['c2-sub', confDoc({ version: 1, active: true, users: [user(ALICE), user(CAROL)] })],
    ['c2-sub', confDoc({ version: 2, state: 'partial', users: [user(DAVE, 'full')] })],
    ['c1-sub', confDoc({ version: 4, state: 'partial', users: [user(DAVE, 'full')] })],
  ];
  for (const [leg, body] of steps) {
    const r = feed(s, notify('active;expires=600', body), relay(leg));
    assert.equal(of(r, 'SEND_REQ')[0]?.leg, leg, 'relayed on the subscribing client’s own dialog');
    assert.deepEqual(branches(r), ['PIN-N1r', 'PIN-N2'], `${leg}: ${body.match(/version="\d+"/)?.[0]} must be applied`);
    s = r.session!;
  }
  const live = Object.entries(s.participants.users).filter(([, u]) => u.state !== 'deleted').map(([e]) => e).sort();
  assert.deepEqual(live, [ALICE, CAROL, DAVE].sort());
  // the snapshot BYE-1e-ii / PIN-N5 would write holds dave too
  assert.deepEqual(gsoParticipants(s.participants).map((p) => p.entity).sort(), [ALICE, CAROL, DAVE].sort());
  // a repeat on either subscription is still stale (PIN-N4), judged by that subscription's count
  assert.deepEqual(branches(feed(s, notify('active', confDoc({ version: 2, state: 'partial', users: [user(BOB, 'full')] })), relay('c2-sub'))), ['PIN-N1r', 'PIN-N4']);
  assert.deepEqual(branches(feed(s, notify('active', confDoc({ version: 4, state: 'partial', users: [user(BOB, 'full')] })), relay('c1-sub'))), ['PIN-N1r', 'PIN-N4']);
});

// A model of a focus: its participant set changes (joins, leaves) and devices subscribe at any
// time; each subscription gets a full document at version 1, then one partial per change with its
// own counter. Whatever the interleaving, the PF's roster ends equal to the focus's state and no
// document of any subscription is judged stale or a gap.
test('PIN-N1r-b2b, PIN-N2, PIN-N4: property — relayed subscriptions started at any time keep the roster equal to the focus’s participants', () => {
  const people = [ALICE, BOB, CAROL, DAVE, 'sip:erin@ims.alpha.example'];
  const event = fc.oneof(
    fc.record({ kind: fc.constant('subscribe' as const) }),
    fc.record({ kind: fc.constant('join' as const), who: fc.constantFrom(...people) }),
    fc.record({ kind: fc.constant('leave' as const), who: fc.constantFrom(...people) }),
  );
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 14 }), (events) => {
      let s = r1({ confSubscription: undefined, mode: 'ACTIVE' });
      const focus = new Set<string>([ALICE]);
      const subs: Array<{ leg: string; version: number }> = [];
      const deliver = (leg: string, body: string) => {
        const r = feed(s, notify('active;expires=600', body), { target: { kind: 'RELAY', clientSubLeg: leg } });
        assert.deepEqual(branches(r), ['PIN-N1r', 'PIN-N2'], `${leg} ${body.match(/version="\d+"/)?.[0]}`);
        s = r.session!;
      };
      for (const e of events) {
        if (e.kind === 'subscribe') {
          const sub = { leg: `c${subs.length + 1}-sub`, version: 1 };
          subs.push(sub);
          deliver(sub.leg, confDoc({ version: 1, active: true, users: [...focus].map((u) => user(u)) }));
          continue;
        }
        const changed = e.kind === 'join' ? !focus.has(e.who) : focus.has(e.who) && e.who !== ALICE;
        if (!changed) continue;
        if (e.kind === 'join') focus.add(e.who);
        else focus.delete(e.who);
        for (const sub of subs) deliver(sub.leg, confDoc({ version: ++sub.version, state: 'partial', users: [user(e.who, e.kind === 'join' ? 'full' : 'deleted')] }));
      }
      if (subs.length === 0) return;
      const live = Object.entries(s.participants.users).filter(([, u]) => u.state !== 'deleted').map(([x]) => x);
      assert.deepEqual(live.sort(), [...focus].sort());
    }),
    { numRuns: 300 },
  );
});

test('PIN-N1r-proxy: in proxy mode the NOTIFY is forwarded, never answered locally', () => {
  const r = feed(r1({ confSubscription: undefined }), notify('active', E14), { target: { kind: 'RELAY', clientSubLeg: 'c1' }, policy: { pfMode: 'proxy' } });
  assert.deepEqual(kinds(r), ['FWD_REQ']);
  assert.deepEqual(of(r, 'FWD_REQ')[0], { kind: 'FWD_REQ', toLeg: 'c1' });
  assert.deepEqual(resp(r), []);
});

test('PIN-N2: active full version 1 with 3 users → 200, roster of 3, lastVersion 1', () => {
  const r = feed(r1(), notify('active;expires=3600', E14));
  assert.deepEqual(resp(r), [200]);
  const p = r.session!.participants;
  assert.equal(p.version, 1);
  assert.deepEqual(Object.keys(p.users), [ALICE, BOB, CAROL]);
  assert.equal(p.users[BOB].displayText, 'Bob');
  assert.equal(p.source, 'OWN_SUBSCRIPTION');
  assert.equal(p.confActive, true);
  assert.equal(r.session!.confSubscription?.state, 'ACTIVE');
  assert.ok(branches(r).includes('PIN-N2'));
});

test('PIN-N2b: partial version 2 with bob departed marks him leftWhileActive', () => {
  const s = r1WithHistory();
  assert.equal(s.participants.version, 2);
  assert.equal(s.participants.users[BOB].endpoints[BOB].status, 'disconnected');
  assert.equal(s.participants.users[BOB].endpoints[BOB].disconnectionMethod, 'departed');
  assert.equal(s.participants.users[BOB].endpoints[BOB].leftWhileActive, true);
  assert.equal(s.participants.users[CAROL].endpoints[CAROL].leftWhileActive, false);
  assert.equal(s.participants.users[BOB].displayText, 'Bob'); // merge keeps what the partial omits
});

test('PIN-N3: partial version 5 after 2 → 200, body ignored, in-dialog refresh SUBSCRIBE', () => {
  const s = r1WithHistory();
  const r = feed(s, notify('active', confDoc({ version: 5, state: 'partial', users: [{ entity: CAROL, endpoints: [{ status: 'disconnected', method: 'departed' }] }] })));
  assert.deepEqual(resp(r), [200]);
  assert.deepEqual(r.session!.participants, s.participants);
  const sub = of(r, 'SUBSCRIBE_CONF');
  assert.equal(sub.length, 1);
  assert.equal(sub[0].inDialog, true);
  assert.ok(branches(r).includes('PIN-N3'));
});

test('PIN-N4: partial version 4 after 5 is ignored', () => {
  let s = r1WithHistory();
  for (const version of [3, 4, 5]) s = feed(s, notify('active', confDoc({ version, state: 'partial', users: [{ entity: BOB, endpoints: [{ status: 'connected' }] }] }))).session!;
  assert.equal(s.participants.version, 5);
  const r = feed(s, notify('active', confDoc({ version: 4, state: 'partial', users: [{ entity: CAROL, endpoints: [{ status: 'disconnected', method: 'departed' }] }] })));
  assert.deepEqual(resp(r), [200]);
  assert.deepEqual(r.session!.participants, s.participants);
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
  assert.ok(branches(r).includes('PIN-N4'));
});

test('PIN-N5: noresource with the E16 body → 200, GSO {alice, carol}, no resubscribe', () => {
  const s = r1WithHistory();
  const r = feed(s, notify('terminated;reason=noresource', E16), { prefs: prefs({ allowStore: true }) });
  assert.deepEqual(resp(r), [200]);
  const g = noresourceGso(r);
  assert.deepEqual(g.folder, { kind: 'SESSION_HISTORY', conversationId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', contributionId: 'abcdef12-3456-7890-abcd-ef0123456789' });
  assert.match(g.body, new RegExp(`lastfocussessionid="${GROUP}"`));
  assert.deepEqual([...g.body.matchAll(/comm-addr="([^"]+)"/g)].map((m) => m[1]), [ALICE, CAROL]);
  assert.equal(g.object?.kind, 'GSO');
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
  assert.deepEqual(of(r, 'START_TIMER'), []);
  assert.equal(r.session!.confSubscription?.state, 'TERMINATED');
  assert.ok(branches(r).includes('PIN-N5'));
});

test("PIN-N5e: the seed's spelling 'terminated; reason=noresource' behaves the same", () => {
  const s = r1WithHistory();
  const a = feed(s, notify('terminated;reason=noresource', E16));
  const b = feed(s, notify('terminated; reason=noresource', E16));
  assert.equal(noresourceGso(b).body, noresourceGso(a).body);
  assert.deepEqual(kinds(b), kinds(a));
});

test('PIN-N5b: allow-offline-storage alone also stores the GSO', () => {
  const r = feed(r1WithHistory(), notify('terminated;reason=noresource', E16), { prefs: prefs({ allowOfflineStorage: true }) });
  noresourceGso(r);
});

test('PIN-N5c: a second noresource later appends a new GSO with a later timestamp', () => {
  const s = r1WithHistory();
  const first = feed(s, notify('terminated;reason=noresource', E16), { now: T0 });
  // a new subscription later: first NOTIFY restarts at version 1
  const resub: CpmSession = {
    ...first.session!,
    confSubscription: { state: 'PENDING', awaiting: 'FIRST_NOTIFY', dialog: { callId: 'sub-41f0@cpm-pf.alpha.example', localTag: 'pfsub1', remoteTag: '' } },
  };
  const again = feed(resub, notify('active', E14), { now: T0 + 60_000 });
  assert.equal(again.session!.participants.version, 1, 'the first NOTIFY of a new subscription is taken whatever its version');
  const second = feed(again.session!, notify('terminated;reason=noresource'), { now: T0 + 120_000 });
  const g1 = noresourceGso(first);
  const g2 = noresourceGso(second);
  assert.notEqual(g2.object?.imdnMessageId, g1.object?.imdnMessageId);
  const ts = (b: string) => /timestamp="([^"]+)"/.exec(b)![1];
  assert.ok(ts(g2.body) > ts(g1.body));
});

test('PIN-N5d: noresource with no body uses the last known roster', () => {
  const r = feed(r1WithHistory(), notify('terminated;reason=noresource'));
  const g = noresourceGso(r);
  assert.deepEqual([...g.body.matchAll(/comm-addr="([^"]+)"/g)].map((m) => m[1]), [ALICE, CAROL]);
});

test('PIN-N6: noresource with no storage preference → 200, no GSO', () => {
  const r = feed(r1WithHistory(), notify('terminated;reason=noresource', E16), { prefs: prefs() });
  assert.deepEqual(resp(r), [200]);
  assert.deepEqual(of(r, 'STORE_GSO'), []);
  assert.ok(branches(r).includes('PIN-N6'));
});

test('PIN-N6b: allowDefer alone does not store a GSO', () => {
  const r = feed(r1WithHistory(), notify('terminated;reason=noresource', E16), { prefs: prefs({ allowDefer: true }) });
  assert.deepEqual(of(r, 'STORE_GSO'), []);
});

function terminated(state: string, mode: CpmSession['mode']) {
  return feed({ ...r1WithHistory(), mode }, notify(state));
}

test('PIN-N7: deactivated while ACTIVE → 200, new SUBSCRIBE at once, no GSO', () => {
  const r = terminated('terminated;reason=deactivated', 'ACTIVE');
  assert.deepEqual(resp(r), [200]);
  const sub = of(r, 'SUBSCRIBE_CONF');
  assert.equal(sub.length, 1);
  assert.equal(sub[0].inDialog, undefined, 'a new dialog');
  assert.deepEqual(of(r, 'STORE_GSO'), []);
  assert.equal(r.session!.confSubscription?.awaiting, 'RESPONSE');
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N7')?.outcome, 'RESUBSCRIBE');
  assert.ok(!branches(r).includes('PIN-N8u'));
});

test('PIN-N7b: probation with retry-after 30 → SUBSCRIBE after 30 s', () => {
  const r = terminated('terminated;reason=probation;retry-after=30', 'ACTIVE');
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
  const t = of(r, 'START_TIMER');
  assert.equal(t.length, 1);
  assert.equal(t[0].ms, 30_000);
  const fired = onPinTimer({ session: r.session!, timer: t[0].timer.name, policy: withPolicy(), now: T0 + 30_000 });
  assert.equal(of(fired, 'SUBSCRIBE_CONF').length, 1);
  assert.equal(fired.decisions.at(-1)?.branch, 'PIN-N7');
  // released in the meantime: the timer does nothing
  const late = onPinTimer({ session: { ...r.session!, mode: 'RELEASED' }, timer: t[0].timer.name, policy: withPolicy(), now: T0 + 30_000 });
  assert.deepEqual(kinds(late), []);
});

test('PIN-N7c: timeout while RELEASED → 200, no resubscribe', () => {
  const r = terminated('terminated;reason=timeout', 'RELEASED');
  assert.deepEqual(resp(r), [200]);
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N7')?.outcome, 'NO_RESUBSCRIBE');
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
  assert.deepEqual(of(r, 'START_TIMER'), []);
});

test('PIN-N8: rejected → no resubscribe', () => {
  const r = terminated('terminated;reason=rejected', 'ACTIVE');
  assert.deepEqual(kinds(r).filter((k) => k !== 'CANCEL_TIMER'), ['SEND_RESP']);
  assert.ok(branches(r).includes('PIN-N8'));
});

test('PIN-N8b: invariant → no resubscribe, no GSO', () => {
  const r = terminated('terminated;reason=invariant', 'ACTIVE');
  assert.deepEqual(kinds(r).filter((k) => k !== 'CANCEL_TIMER'), ['SEND_RESP']);
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N8')?.outcome, 'NO_RESUBSCRIBE');
});

test('PIN-N8c: giveup without retry-after → no resubscribe', () => {
  const r = terminated('terminated;reason=giveup', 'ACTIVE');
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N8')?.outcome, 'NO_RESUBSCRIBE');
  assert.deepEqual(of(r, 'START_TIMER'), []);
});

test('PIN-N8d: giveup with retry-after 60 → SUBSCRIBE after 60 s', () => {
  const r = terminated('terminated;reason=giveup;retry-after=60', 'ACTIVE');
  assert.deepEqual(of(r, 'START_TIMER').map((t) => t.ms), [60_000]);
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N8')?.outcome, 'RESUBSCRIBE_LATER');
});

test('PIN-N8u: terminated with no reason while REMAIN_DISCONNECTED → one new SUBSCRIBE, no GSO', () => {
  const r = terminated('terminated', 'REMAIN_DISCONNECTED');
  assert.equal(of(r, 'SUBSCRIBE_CONF').length, 1);
  assert.deepEqual(of(r, 'STORE_GSO'), []);
  assert.ok(branches(r).includes('PIN-N8u'));
  // the new subscription ends the same way before any active NOTIFY: no second resubscription
  const s2: CpmSession = { ...r.session!, confSubscription: { ...r.session!.confSubscription!, dialog: { callId: 'sub-41f0@cpm-pf.alpha.example', localTag: 'pfsub1', remoteTag: '' }, awaiting: 'FIRST_NOTIFY' } };
  const r2 = feed(s2, notify('terminated'));
  assert.deepEqual(of(r2, 'SUBSCRIBE_CONF'), []);
});

test('PIN-N8u-unk: an unknown reason while ACTIVE → one new SUBSCRIBE, no GSO', () => {
  const r = terminated('terminated;reason=maintenance', 'ACTIVE');
  assert.equal(of(r, 'SUBSCRIBE_CONF').length, 1);
  assert.equal(r.decisions.find((d) => d.branch === 'PIN-N8u')?.outcome, 'RESUBSCRIBE');
  assert.deepEqual(of(r, 'STORE_GSO'), []);
});

test('PIN-N8u-rel: no reason while RELEASED → no resubscribe', () => {
  const r = terminated('terminated', 'RELEASED');
  assert.deepEqual(of(r, 'SUBSCRIBE_CONF'), []);
});

test('PIN-N9: malformed XML → 200, roster unchanged, refresh SUBSCRIBE', () => {
  const s = feed(r1(), notify('active', E14)).session!;
  const r = feed(s, notify('active', '<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="x" version="2"><users>'));
  assert.deepEqual(resp(r), [200]);
  assert.deepEqual(r.session!.participants, s.participants);
  assert.equal(of(r, 'SUBSCRIBE_CONF')[0]?.inDialog, true);
  assert.ok(branches(r).includes('PIN-N9'));
  // a terminated noresource NOTIFY with a bad body still stores from the last good roster
  const t = feed(s, notify('terminated;reason=noresource', '<broken'));
  assert.equal(noresourceGso(t).body.match(/<participant /g)?.length, 3);
});

test('GSO-1: booted reported in an active NOTIFY while active → excluded', () => {
  let s = feed(r1(), notify('active', E14)).session!;
  s = feed(s, notify('active', confDoc({ version: 2, state: 'partial', users: [{ entity: BOB, endpoints: [{ status: 'disconnected', method: 'booted' }] }] }))).session!;
  assert.deepEqual(gsoParticipants(s.participants).map((p) => p.entity), [ALICE, CAROL]);
});

test('GSO-4: carol connected to the end, booted only in the noresource NOTIFY → included', () => {
  let s = feed(r1(), notify('active', E14)).session!;
  const doc = confDoc({ version: 2, state: 'partial', users: [{ entity: CAROL, endpoints: [{ status: 'disconnected', method: 'booted' }] }] });
  const r = feed(s, notify('terminated;reason=noresource', doc));
  assert.match(noresourceGso(r).body, new RegExp(`comm-addr="${CAROL.replace(/[+.]/g, '\\$&')}"`));
  s = r.session!;
  assert.equal(s.participants.users[CAROL].endpoints[CAROL].leftWhileActive, false);
});

test('GSO-5: departed reported while <active>false</active> → erin included later', () => {
  const erin = 'sip:erin@ims.alpha.example';
  let s = feed(r1(), notify('active', confDoc({ version: 1, active: true, users: [{ entity: ALICE, endpoints: [{ status: 'connected' }] }, { entity: erin, endpoints: [{ status: 'connected' }] }] }))).session!;
  s = feed(s, notify('active', confDoc({ version: 2, state: 'partial', active: false, users: [{ entity: erin, endpoints: [{ status: 'disconnected', method: 'departed' }] }] }))).session!;
  assert.equal(s.participants.confActive, false);
  assert.deepEqual(gsoParticipants(s.participants).map((p) => p.entity), [ALICE, erin]);
});

test('GSO-6: departed at v2 then connected again at v3 → bob included', () => {
  let s = r1WithHistory();
  s = feed(s, notify('active', confDoc({ version: 3, state: 'partial', users: [{ entity: BOB, endpoints: [{ status: 'connected' }] }] }))).session!;
  assert.deepEqual(gsoParticipants(s.participants).map((p) => p.entity), [ALICE, BOB, CAROL]);
});

test('GSO-7: a partial without conference-state is judged by the last known active=true', () => {
  const s = r1WithHistory(); // E15 has no <conference-state>
  assert.deepEqual(gsoParticipants(s.participants).map((p) => p.entity), [ALICE, CAROL]);
});

test('GSO-9: a later full document with active=false carries bob’s flag over → still excluded', () => {
  const s = r1WithHistory();
  const r = feed(s, notify('active', E16)); // full v3, active=false, bob departed again
  assert.equal(r.session!.participants.users[BOB].endpoints[BOB].leftWhileActive, true);
  assert.deepEqual(gsoParticipants(r.session!.participants).map((p) => p.entity), [ALICE, CAROL]);
});

test('PIN-S1: confSubscribeEffect is a refresh in the dialog when asked', () => {
  const e = confSubscribeEffect(r1(), 1800, true);
  assert.ok(e.kind === 'SUBSCRIBE_CONF' && e.inDialog === true && e.expires === 1800);
});

test('PIN-S1: a first NOTIFY that overtakes the 200 matches once the shell recorded the sent dialog', () => {
  const start = startConfSubscription({ session: r1({ confSubscription: undefined }), policy: withPolicy(), now: T0 });
  assert.deepEqual(resp(feed(start.session, notify('active', E14))), [481]);
  const sent = confSubscribeSent(start.session, { callId: 'sub-41f0@cpm-pf.alpha.example', localTag: 'pfsub1' });
  const r = feed(sent, notify('active', E14));
  assert.deepEqual(resp(r), [200]);
  assert.equal(r.session!.confSubscription?.dialog?.remoteTag, 'cfsub9');
  assert.equal(r.session!.participants.version, 1);
});
