import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustMessage, UNKNOWN_SOURCE_BRANCH } from './unknown-source';

const m = { source: 'udp/192.0.2.7:5060', requestUri: 'sip:alice@example.com', servedUser: 'sip:alice@example.com', callId: 'c1' };

test('TRUST-PEERS-MESSAGE: only an unadmitted source under PF_TRUST=peers is refused, with one decision naming it', () => {
  assert.deepEqual(trustMessage({ ...m, trust: 'open', admitted: false }), { admit: true, decisions: [] });
  assert.deepEqual(trustMessage({ ...m, trust: 'peers', admitted: true }), { admit: true, decisions: [] });
  const r = trustMessage({ ...m, trust: 'peers', admitted: false });
  assert.equal(r.admit, false);
  assert.deepEqual(r.reject, { code: 403, reason: 'Forbidden' });
  assert.deepEqual(r.decisions.map((d) => [d.branch, d.outcome, d.servedUser]), [[UNKNOWN_SOURCE_BRANCH, 'REJECT', 'sip:alice@example.com']]);
  assert.match(r.decisions[0].summary, /192\.0\.2\.7:5060/);
});
