import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy } from './policy-validate';
import { DEFAULT_POLICY } from './policy';

// SPEC §2 has no MATRIX rows of its own; these pin the console's validation contract.
test('POLICY: an empty object gives the SPEC §2 defaults', () => {
  const r = validatePolicy({});
  assert.ok(r.ok);
  assert.deepEqual(r.policy, DEFAULT_POLICY);
});

test('POLICY: valid overrides are applied, nested sections merge field by field', () => {
  const r = validatePolicy({ imdnCacheTtlSec: 60, imdnAggregation: { enabled: true }, homeNumberRanges: ['+1555'], iariSkipMap: { '+g.gsma.rcs.isbot': ['DEFERRAL'] }, unmatchedNextHop: 'sip:scscf.example' });
  assert.ok(r.ok);
  assert.equal(r.policy.imdnCacheTtlSec, 60);
  assert.deepEqual(r.policy.imdnAggregation, { ...DEFAULT_POLICY.imdnAggregation, enabled: true });
  assert.deepEqual(r.policy.iariSkipMap, { '+g.gsma.rcs.isbot': ['DEFERRAL'] });
  assert.equal(r.policy.unmatchedNextHop, 'sip:scscf.example');
});

test('POLICY: errors name the field and say what is allowed', () => {
  const r = validatePolicy({
    imdnCacheTtlSec: 1.5,
    imdnDedupKey: 'STATUS',
    recordingEnabled: 'yes',
    nonImdnUserAgentPatterns: ['(unclosed'],
    homeNumberRanges: ['1555'],
    imdnAggregation: { maxPerBody: 0, bogus: true },
    iariSkipMap: { x: ['NOPE'] },
    nonsense: 1,
  });
  assert.equal(r.ok, false);
  if (r.ok) return;
  const by = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
  assert.equal(by.imdnCacheTtlSec, 'imdnCacheTtlSec must be a whole number of seconds between 1 and 31536000');
  assert.match(by.imdnDedupKey, /one of "STATUS_RANKED", "TYPE", "TYPE_AND_STATUS"/);
  assert.equal(by.recordingEnabled, 'recordingEnabled must be true or false');
  assert.match(by['nonImdnUserAgentPatterns[0]'], /not a valid regular expression/);
  assert.match(by['homeNumberRanges[0]'], /E\.164 prefix/);
  assert.match(by['imdnAggregation.maxPerBody'], /between 1 and 100/);
  assert.match(by['imdnAggregation.bogus'], /not a known setting/);
  assert.match(by['iariSkipMap.x[0]'], /not one of/);
  assert.match(by.nonsense, /not a known policy setting/);
});

test('POLICY: the GSO roster wait must fit inside the BYE relay wait; non-objects are refused', () => {
  const r = validatePolicy({ byeRelayTimeoutMs: 1000, gsoRosterTimeoutMs: 2000 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.errors[0].field, 'gsoRosterTimeoutMs');
  for (const bad of [null, 3, 'x', []]) assert.equal(validatePolicy(bad).ok, false);
});

test('POLICY: pf.mode "proxy" is refused, naming why (BYE-P is engine-only; the SIP shell is a B2BUA, DECISIONS D-144)', () => {
  const r = validatePolicy({ pfMode: 'proxy' });
  assert.ok(!r.ok);
  assert.equal(r.errors[0].field, 'pfMode');
  assert.match(r.errors[0].message, /B2BUA/);
  assert.ok(validatePolicy({ pfMode: 'b2bua' }).ok);
});
