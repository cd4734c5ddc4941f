import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserPrefs } from '../model';
import type { SipMessageView } from '../message';
import { DEFAULT_POLICY, withPolicy } from '../policy';
import { deliverStandalone, standaloneForkOutcome } from './standalone';

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

test('11.1-4: the first 2xx answers the sender once; a later 2xx does not answer again', () => {
  const start = deliverStandalone({ deliveryId: 'd', servedUser: ALICE, txn: 't', message, registrations: [reg('sip:a1@h'), reg('sip:a2@h')], prefs: prefs(false), skip: [], policy: DEFAULT_POLICY });
  const first = standaloneForkOutcome({ delivery: start.delivery, forkId: 'd:1', code: 200, prefs: prefs(false), skip: [] });
  assert.deepEqual(first.effects, [{ kind: 'SEND_RESP', txn: 't', code: 200, reason: 'OK' }]);
  assert.equal(first.deliveredTo?.contact, 'sip:a2@h');
  const second = standaloneForkOutcome({ delivery: first.delivery, forkId: 'd:0', code: 200, prefs: prefs(false), skip: [] });
  assert.deepEqual(second.effects, []);
  assert.equal(second.delivery.settled, true);
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
