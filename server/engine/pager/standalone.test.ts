import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserPrefs } from '../model';
import type { SipMessageView } from '../message';
import fc from 'fast-check';
import type { MessageIndexEntry } from '../model';
import { DEFAULT_POLICY, withPolicy } from '../policy';
import { deliverStandalone, receivedEntryAfterDelivery, standaloneForkOutcome } from './standalone';

const ALICE = 'sip:alice@example.com';
const MSG_ICSI = 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg';
const SESSION_ICSI = 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session';
const prefs = (allowDefer: boolean): UserPrefs => ({ allowDefer, allowOfflineStorage: false, allowStore: false, hasCpmOfflineStorageRule: false, source: 'XDMS' });
const message: SipMessageView = {
  method: 'MESSAGE',
  uri: ALICE,
  headers: { from: ['<sip:bob@example.com>;tag=1'], 'content-type': ['message/cpim'], 'call-id': ['c1'] },
  body: 'From: <sip:bob@example.com>\r\nimdn.Message-ID: sa1\r\n\r\nContent-Type: text/plain\r\n\r\nhi',
};
const reg = (contact: string, icsis = [MSG_ICSI]) => ({ contact, icsis, imdnAggregation: false });

test('11.1-4: forks to every client that registered the standalone-message ICSI, not to others', () => {
  const r = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [reg('sip:a1@h'), reg('sip:a2@h'), reg('sip:a3@h', [SESSION_ICSI])], prefs: prefs(false), skip: [], policy: DEFAULT_POLICY });
  assert.deepEqual(r.effects.map((e) => (e.kind === 'SEND_REQ' ? e.uri : e.kind)), ['sip:a1@h', 'sip:a2@h']);
  assert.equal(r.delivery.messageId, 'sa1');
  assert.equal(r.decisions[0].branch, '11.1-4');
});

test('11.1-4: the first 2xx answers the sender once; a later 2xx does not answer again but still counts as a delivery', () => {
  const start = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [reg('sip:a1@h'), reg('sip:a2@h')], prefs: prefs(false), skip: [], policy: DEFAULT_POLICY });
  const first = standaloneForkOutcome({ delivery: start.delivery, forkId: 'd:1', code: 200, prefs: prefs(false), skip: [] });
  assert.deepEqual(first.effects, [{ kind: 'SEND_RESP', txn: 't', code: 200, reason: 'OK' }]);
  assert.equal(first.deliveredTo?.contact, 'sip:a2@h');
  assert.equal(first.firstDelivery, true);
  const second = standaloneForkOutcome({ delivery: first.delivery, forkId: 'd:0', code: 200, prefs: prefs(false), skip: [] });
  assert.deepEqual(second.effects, []);
  assert.equal(second.delivery.settled, true);
  assert.equal(second.deliveredTo?.contact, 'sip:a1@h', 'the second device took the message too');
  assert.equal(second.firstDelivery, false);
  assert.deepEqual(second.decisions.map((d) => [d.branch, d.outcome]), [['11.1-4', 'DELIVERED_ALSO']]);
});

// IMDN-TX-2 needs to know how many endpoints took the message (seed 8.2.4: "in case the message
// was delivered to multiple endpoints, a similar caching strategy"). The count comes from the
// real fork outcomes, in any order, mixed with failures and timeouts.
test('TX-2, 11.1-4: property — the MessageIndex entry counts every fork that answered 2xx, whatever the order and the other outcomes', () => {
  const outcome = fc.oneof(fc.constantFrom(200, 202), fc.constantFrom(480, 403, 408, 503), fc.constant('timeout' as const));
  fc.assert(
    fc.property(fc.array(outcome, { minLength: 1, maxLength: 5 }).chain((os) => fc.tuple(fc.constant(os), fc.shuffledSubarray(os.map((_, i) => i), { minLength: os.length, maxLength: os.length }))), ([outs, order]) => {
      const regs = outs.map((_, i) => reg(`sip:a${i}@h`));
      let d = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: regs, prefs: prefs(true), skip: [], policy: DEFAULT_POLICY }).delivery;
      let entry: MessageIndexEntry | undefined;
      let firsts = 0;
      for (const i of order) {
        const o = outs[i];
        const r = standaloneForkOutcome({ delivery: d, forkId: `d:${i}`, ...(o === 'timeout' ? { timedOut: true } : { code: o }), prefs: prefs(true), skip: [] });
        d = r.delivery;
        if (r.deliveredTo) entry = receivedEntryAfterDelivery(entry);
        if (r.firstDelivery) firsts++;
      }
      const oks = outs.filter((o) => o === 200 || o === 202).length;
      assert.equal(entry?.deliveredEndpoints ?? 0, oks);
      assert.equal(firsts, oks > 0 ? 1 : 0, 'exactly one first delivery when any fork took it');
    }),
    { numRuns: 300 },
  );
});

test('11.1-5: no suitable client and allow-defer → DEFER, then 202, in that order', () => {
  const r = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [], prefs: prefs(true), skip: [], policy: DEFAULT_POLICY });
  assert.deepEqual(r.effects.map((e) => e.kind), ['DEFER', 'SEND_RESP']);
  assert.equal((r.effects[1] as { code: number }).code, 202);
  assert.equal(r.decisions[0].outcome, 'DEFER');
});

test('11.1-5: no client, deferral not allowed or skipped by DSP-7 → 480 and the delivery counts as failed', () => {
  for (const [p, skip] of [[prefs(false), []], [prefs(true), ['DEFERRAL']]] as const) {
    const r = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [], prefs: p, skip: [...skip], policy: DEFAULT_POLICY });
    assert.deepEqual(r.effects, [{ kind: 'SEND_RESP', txn: 't', code: 480, reason: 'Temporarily Unavailable' }]);
    assert.equal(r.decisions[0].outcome, 'REJECT');
  }
});

test('11.1-5: every fork unavailable (480, timeout) defers; a 403 is returned as is, not deferred', () => {
  const start = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [reg('sip:a1@h'), reg('sip:a2@h')], prefs: prefs(true), skip: [], policy: DEFAULT_POLICY });
  const a = standaloneForkOutcome({ delivery: start.delivery, forkId: 'd:0', code: 480, prefs: prefs(true), skip: [] });
  assert.deepEqual(a.effects, []);
  const b = standaloneForkOutcome({ delivery: a.delivery, forkId: 'd:1', timedOut: true, prefs: prefs(true), skip: [] });
  assert.deepEqual(b.effects.map((e) => e.kind), ['DEFER', 'SEND_RESP']);

  const c = standaloneForkOutcome({ delivery: start.delivery, forkId: 'd:0', code: 403, prefs: prefs(true), skip: [] });
  const d = standaloneForkOutcome({ delivery: c.delivery, forkId: 'd:1', code: 480, prefs: prefs(true), skip: [] });
  assert.deepEqual(d.effects, [{ kind: 'SEND_RESP', txn: 't', code: 403, reason: 'Delivery Failed' }]);
  assert.equal(d.failed, true);
});

test('11.1-4, D-111: a client that registered no CPM feature tag is suitable by default and not when the provider says so', () => {
  const regs = [reg('sip:stock@h', []), reg('sip:other@h', ['urn:urn-7:3gpp-application.ims.iari.rcs.geopush'])];
  const open = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: regs, prefs: prefs(false), skip: [], policy: DEFAULT_POLICY });
  assert.deepEqual(open.effects.map((e) => (e.kind === 'SEND_REQ' ? e.uri : e.kind)), ['sip:stock@h', 'sip:other@h']);
  const strict = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: regs, prefs: prefs(false), skip: [], policy: withPolicy({ untaggedClientsSuitable: false }) });
  assert.ok(!strict.effects.some((e) => e.kind === 'SEND_REQ'), 'no fork to an untagged client under a strict provider');
  assert.equal(strict.decisions[0].branch, '11.1-5');
});
