import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubscriptionState } from './subscription-state';

function ok(raw: string) {
  const r = parseSubscriptionState(raw);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test("SSP-1: the seed's spelling with a space after ';' parses as terminated/noresource", () => {
  assert.deepEqual(ok('terminated; reason=noresource'), { state: 'terminated', reason: 'noresource' });
  assert.deepEqual(ok('terminated;reason=noresource'), ok('terminated; reason=noresource'));
});

test('SSP-2: case and LWS around ";" and "=" are tolerated; retry-after is read', () => {
  assert.deepEqual(ok('Terminated ; Reason = NoResource ; retry-after = 30'), {
    state: 'terminated',
    reason: 'noresource',
    retryAfter: 30,
  });
});

test('SSP-3: active with expires', () => {
  assert.deepEqual(ok('active;expires=3600'), { state: 'active', expires: 3600 });
  assert.deepEqual(ok('pending'), { state: 'pending' });
});

test('SSP-4: terminated without a reason has reason undefined', () => {
  const v = ok('terminated');
  assert.equal(v.state, 'terminated');
  assert.equal(v.reason, undefined);
  assert.ok(!('reason' in v));
});

test('SSP-5: non-numeric expires is absent, unknown params ignored', () => {
  assert.deepEqual(ok('terminated;reason=timeout;expires=abc;foo=bar'), { state: 'terminated', reason: 'timeout' });
  assert.deepEqual(ok('terminated;reason="Giveup";retry-after=-5'), { state: 'terminated', reason: 'giveup' });
});

test('SSP-4: errors — missing header and unknown states are typed errors', () => {
  const a = parseSubscriptionState(undefined);
  assert.equal(!a.ok && a.error.code, 'MISSING');
  const b = parseSubscriptionState('waiting;reason=x');
  assert.equal(!b.ok && b.error.code, 'UNKNOWN_STATE');
  const c = parseSubscriptionState('active;x="open');
  assert.equal(!c.ok && c.error.code, 'UNTERMINATED_QUOTE');
});
