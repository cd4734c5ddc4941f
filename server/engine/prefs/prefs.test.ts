import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXdmsPrefs } from './xdms-document';
import { selectUserPrefs, type LastKnownPrefs } from './select';
import { withPolicy } from '../policy';
import { storeImdnWanted } from '../imdn/store-imdn';

const E20 = `<?xml version="1.0" encoding="UTF-8"?>
<cp:ruleset xmlns:cp="urn:ietf:params:xml:ns:common-policy"
            xmlns:ocp="urn:oma:xml:xdm:common-policy"
            xmlns:cpmp="urn:oma:xml:cpm:user-prefs-placeholder">
  <cp:rule id="cpm-store">
    <cp:conditions>
      <ocp:service-list>
        <ocp:service enabler="CPM"/>
      </ocp:service-list>
    </cp:conditions>
    <cp:actions>
      <cpmp:allow-offline-storage>true</cpmp:allow-offline-storage>
      <cpmp:allow-store>false</cpmp:allow-store>
      <cpmp:allow-defer>true</cpmp:allow-defer>
    </cp:actions>
  </cp:rule>
</cp:ruleset>`;

const rule = (enabler: string, actions: string) =>
  `<rule><conditions><service-list><service enabler="${enabler}"/></service-list></conditions><actions>${actions}</actions></rule>`;
const doc = (...rules: string[]) => `<ruleset xmlns="urn:ietf:params:xml:ns:common-policy">${rules.join('')}</ruleset>`;

const policy = withPolicy();

test('PREF-1: XDMS reachable with the E20 document → aos=true, as=false, ad=true, source XDMS; copy kept', () => {
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 200, body: E20, etag: '"e1"' }, policy });
  assert.deepEqual(s.prefs, { allowOfflineStorage: true, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: true, source: 'XDMS' });
  assert.equal(s.lastKnown?.etag, '"e1"');
  assert.equal(s.lastKnown?.document, E20);
  assert.equal(s.decision.branch, 'PREF-1');
});

test('PREF-1: CPM rules are OR-combined; non-CPM rules are ignored', () => {
  const r = parseXdmsPrefs(doc(rule('CPM', '<allow-store>true</allow-store>'), rule('CPM', '<allow-defer>true</allow-defer>'), rule('PoC', '<allow-offline-storage>true</allow-offline-storage>')));
  assert.ok(r.ok);
  assert.deepEqual(r.value, { allowOfflineStorage: false, allowStore: true, allowDefer: true, hasCpmOfflineStorageRule: false });
});

test('PREF-1b: 304 for the cached ETag → cached values, source XDMS', () => {
  const lastKnown: LastKnownPrefs = { document: E20, etag: 'e1', values: { allowOfflineStorage: true, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: true } };
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 304 }, lastKnown, policy });
  assert.deepEqual(s.prefs, { ...lastKnown.values, source: 'XDMS' });
  assert.equal(s.decision.branch, 'PREF-1');
});

test('PREF-1c: 404 → all false, hasCpmOfflineStorageRule=false, source XDMS (not unreachable)', () => {
  const lastKnown: LastKnownPrefs = { document: E20, values: { allowOfflineStorage: true, allowStore: true, allowDefer: true, hasCpmOfflineStorageRule: true } };
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 404 }, lastKnown, policy });
  assert.deepEqual(s.prefs, { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' });
  assert.equal(s.decision.branch, 'PREF-1');
});

const LAST: LastKnownPrefs = { document: '<x/>', etag: 'e0', values: { allowOfflineStorage: true, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: true } };

test('PREF-2: XDMS times out, last known copy exists → used with source CACHED', () => {
  const s = selectUserPrefs({ outcome: { kind: 'NO_RESPONSE', reason: 'TIMEOUT' }, lastKnown: LAST, policy });
  assert.deepEqual(s.prefs, { ...LAST.values, source: 'CACHED' });
  assert.equal(s.decision.branch, 'PREF-2');
  assert.equal(s.lastKnown, LAST);
});

test('PREF-2b: XDMS answers 503 → CACHED', () => {
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 503 }, lastKnown: LAST, policy });
  assert.equal(s.prefs.source, 'CACHED');
  assert.equal(s.prefs.allowOfflineStorage, true);
});

test('PREF-3: no copy, XDMS unreachable → provider defaults (allowDefer=true, others false)', () => {
  const s = selectUserPrefs({ outcome: { kind: 'NO_RESPONSE', reason: 'CONNECTION_FAILED' }, policy });
  assert.deepEqual(s.prefs, { allowOfflineStorage: false, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: false, source: 'PROVIDER_DEFAULTS' });
  assert.equal(s.decision.branch, 'PREF-3');
});

test('PREF-3b: configured defaults {allowStore:true} are used as given', () => {
  const p = withPolicy({ defaultUserPrefs: { allowOfflineStorage: false, allowStore: true, allowDefer: false, hasCpmOfflineStorageRule: false } });
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 500 }, policy: p });
  assert.deepEqual(s.prefs, { allowOfflineStorage: false, allowStore: true, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'PROVIDER_DEFAULTS' });
});

test('DLV-4-enabler: a rule with <service enabler="PoC"/> only does not turn IMDN storage on', () => {
  const r = parseXdmsPrefs(doc(rule('PoC', '<allow-offline-storage>true</allow-offline-storage>')));
  assert.ok(r.ok);
  assert.equal(r.value.hasCpmOfflineStorageRule, false);
  assert.equal(storeImdnWanted({ ...r.value, source: 'XDMS' }, policy).store, false);
});

test('DLV-4-false: a CPM rule with allow-offline-storage false does not turn storage on', () => {
  const r = parseXdmsPrefs(doc(rule('CPM', '<allow-offline-storage>false</allow-offline-storage>')));
  assert.ok(r.ok);
  assert.equal(r.value.hasCpmOfflineStorageRule, false);
  assert.equal(storeImdnWanted({ ...r.value, source: 'XDMS' }, policy).store, false);
  const on = parseXdmsPrefs(E20);
  assert.ok(on.ok);
  assert.equal(storeImdnWanted({ ...on.value, source: 'XDMS' }, policy).store, true);
});

test('PREF-2: a 200 whose document cannot be read falls back like an unreachable XDMS', () => {
  const s = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 200, body: '<!DOCTYPE x><x/>' }, lastKnown: LAST, policy });
  assert.equal(s.decision.branch, 'PREF-2');
  const t = selectUserPrefs({ outcome: { kind: 'RESPONSE', status: 200, body: '<other/>' }, policy });
  assert.equal(t.decision.branch, 'PREF-3');
});
