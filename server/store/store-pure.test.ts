// Pure helpers of the store: preference combining (SPEC §11.6), peer addresses and seed files,
// provider-policy overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, withPolicy } from '../engine/policy';
import { matchPeer, normaliseAddress, parsePeerSeed } from './peers';
import { policyOverrides, structuralCheck } from './provider-policy';
import { effectivePrefs } from './user-prefs';
import { sqliteDateTime } from './sqlite-datetime.mjs';

test('PREF-1c: no rule at all reads as all false, source XDMS', () => {
  assert.deepEqual(effectivePrefs([]), { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' });
});

test('§11.6: only rules naming the CPM enabler apply; their actions are OR-combined', () => {
  const p = effectivePrefs([
    { ruleId: 'a', serviceEnablers: ['IM'], allowStore: true, allowDefer: true },
    { ruleId: 'b', serviceEnablers: ['IM', ' cpm '], allowOfflineStorage: false, allowDefer: true },
    { ruleId: 'c', serviceEnablers: ['CPM'], allowOfflineStorage: true, allowDefer: false },
  ]);
  assert.deepEqual(p, { allowOfflineStorage: true, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: true, source: 'XDMS' });
});

test('hasCpmOfflineStorageRule needs allow-offline-storage true in a CPM rule, not in another service', () => {
  assert.equal(effectivePrefs([{ ruleId: 'x', serviceEnablers: ['IM'], allowOfflineStorage: true }]).hasCpmOfflineStorageRule, false);
  assert.equal(effectivePrefs([{ ruleId: 'x', serviceEnablers: ['CPM'], allowOfflineStorage: false }]).hasCpmOfflineStorageRule, false);
});

test('peer addresses: host:port and SIP URIs normalised, anything else refused', () => {
  assert.equal(normaliseAddress(' CF.Example.com:05060 '), 'cf.example.com:5060');
  assert.equal(normaliseAddress('SIP:Conf@CF.example.com;transport=tcp'), 'sip:Conf@cf.example.com;transport=tcp');
  assert.equal(normaliseAddress('[::1]:5070'), '[::1]:5070');
  for (const bad of ['cf.example.com', 'cf:0', 'cf:70000', 'http://x', '']) assert.throws(() => normaliseAddress(bad), /host:port or a sip: URI/);
});

test('matchPeer: by source host:port first, then by URI host', () => {
  const peers = [
    { role: 'CF' as const, name: 'cf', address: 'sip:cf.example.com' },
    { role: 'IWF' as const, name: 'iwf', address: '10.0.0.9:5060' },
  ];
  assert.equal(matchPeer(peers, { source: '10.0.0.9:5060', uri: 'sip:cf.example.com' })?.name, 'iwf');
  assert.equal(matchPeer(peers, { source: '10.0.0.1:5060', uri: '<sip:focus-1@CF.example.com;transport=tcp>' })?.name, 'cf');
  assert.equal(matchPeer(peers, { source: '10.0.0.1:5060', uri: 'sip:other.example.com' }), undefined);
});

test('peer seed: object or bare array; a bad entry is named and nothing is returned', () => {
  const doc = { peers: [{ role: 'CF', name: ' cf-1 ', address: 'sip:cf.example.com' }] };
  assert.deepEqual(parsePeerSeed(JSON.stringify(doc)), [{ role: 'CF', name: 'cf-1', address: 'sip:cf.example.com' }]);
  assert.equal(parsePeerSeed(JSON.stringify(doc.peers)).length, 1);
  assert.throws(() => parsePeerSeed(JSON.stringify([doc.peers[0], { role: 'AS', name: 'x', address: 'a:1' }])), /entry 1: role must be one of/);
  assert.throws(() => parsePeerSeed('{"x":1}'), /"peers" array/);
});

test('provider policy: only values that differ from the defaults are stored', () => {
  assert.deepEqual(policyOverrides(DEFAULT_POLICY), {});
  const p = withPolicy({ pfMode: 'proxy', imdnAggregation: { enabled: true } });
  assert.deepEqual(policyOverrides(p), { pfMode: 'proxy', imdnAggregation: { ...DEFAULT_POLICY.imdnAggregation, enabled: true } });
});

test('provider policy structural check: unknown keys and wrong types are named', () => {
  const r = structuralCheck({ pfMode: 1, nope: true, imdnAggregation: { windowMs: 'x' } });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.field).sort(), ['imdnAggregation.windowMs', 'nope', 'pfMode']);
  const ok = structuralCheck({ byeRelayTimeoutMs: 100, iariSkipMap: { a: ['DEFERRAL'] } });
  assert.equal(ok.ok && ok.policy.byeRelayTimeoutMs, 100);
});

test('the SQLite writer\'s DateTime text: as Prisma writes it, from text, Date or ms, the same when a text repeats, and a bad text refused every time', () => {
  const at = '2026-12-06T10:14:00.123Z';
  assert.equal(sqliteDateTime(at), '2026-12-06T10:14:00.123+00:00');
  // the same text again (the remembered one) and an equal text in another string
  assert.equal(sqliteDateTime(at), '2026-12-06T10:14:00.123+00:00');
  assert.equal(sqliteDateTime(['2026-12-06T10:14:00', '123Z'].join('.')), '2026-12-06T10:14:00.123+00:00');
  assert.equal(sqliteDateTime('2026-12-06T10:14:00.124Z'), '2026-12-06T10:14:00.124+00:00');
  assert.equal(sqliteDateTime(Date.parse(at)), '2026-12-06T10:14:00.123+00:00');
  const d = new Date(at);
  assert.equal(sqliteDateTime(d), '2026-12-06T10:14:00.123+00:00');
  d.setTime(0);
  assert.equal(sqliteDateTime(d), '1970-01-01T00:00:00.000+00:00');
  assert.equal(sqliteDateTime(null), null);
  assert.equal(sqliteDateTime(undefined), null);
  assert.throws(() => sqliteDateTime('not a date'), RangeError);
  assert.throws(() => sqliteDateTime('not a date'), RangeError);
});
