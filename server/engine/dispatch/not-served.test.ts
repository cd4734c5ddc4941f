// MESSAGE-1, SUBSCRIBE-1 (D-260): a request for a user the PF does not serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refuseNotServed } from './not-served';

test('MESSAGE-1, SUBSCRIBE-1: 404 with one decision naming the addressee', () => {
  for (const method of ['MESSAGE', 'SUBSCRIBE'] as const) {
    const r = refuseNotServed({ method, target: 'sip:nobody@example.com', txn: 't', callId: 'c' });
    assert.deepEqual(r.effects, [{ kind: 'SEND_RESP', txn: 't', code: 404, reason: 'Not Found' }]);
    assert.deepEqual(r.decisions.map((d) => [d.branch, d.procedure, d.outcome, d.callId]), [[method === 'MESSAGE' ? 'MESSAGE-1' : 'SUBSCRIBE-1', 'DSP', 'REJECT', 'c']]);
    assert.match(r.decisions[0].summary, /nobody@example\.com/);
  }
});
