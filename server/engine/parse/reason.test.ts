import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReason, reasonOf } from './reason';

test('RSN-1: SIP cause 200 with a text is present, cause 200, text kept', () => {
  const r = parseReason(['SIP;cause=200;text="Call completed"']);
  assert.deepEqual(r, { present: true, sipPresent: true, sipCause: 200, text: 'Call completed', others: [] });
});

test('RSN-2: a comma inside the quoted text does not split the value', () => {
  const r = parseReason(['SIP;cause=200;text="Done, see you"']);
  assert.equal(r.text, 'Done, see you');
  assert.equal(r.sipCause, 200);
  assert.deepEqual(r.others, []);
});

test('RSN-3: Q.850 next to SIP: the SIP value is selected, Q.850 kept in others', () => {
  const r = parseReason(['Q.850;cause=16, SIP;cause=503;text="Service Unavailable"']);
  assert.equal(r.sipPresent, true);
  assert.equal(r.sipCause, 503);
  assert.equal(r.text, 'Service Unavailable');
  assert.deepEqual(r.others, [{ protocol: 'Q.850', cause: 16 }]);
});

test('RSN-4: header name, protocol and parameter names are case-insensitive; LWS around ; and =', () => {
  const r = reasonOf({ headers: { reason: ['sip ; CAUSE = 410'] } });
  assert.equal(r.sipPresent, true);
  assert.equal(r.sipCause, 410);
  const r2 = reasonOf({ headers: { REASON: ['SIP;cause=410'] } });
  assert.equal(r2.sipCause, 410);
});

test('RSN-5: a non-numeric cause is undefined, not 0', () => {
  const r = parseReason(['SIP;cause=abc']);
  assert.equal(r.present, true);
  assert.equal(r.sipPresent, true);
  assert.equal(r.sipCause, undefined);
  assert.equal('sipCause' in r, false);
});

test('RSN-6: two Reason header lines are joined; the SIP one gives the cause', () => {
  const r = reasonOf({ headers: { reason: ['Q.850;cause=16', 'SIP;cause=480'] } });
  assert.equal(r.sipCause, 480);
  assert.deepEqual(r.others, [{ protocol: 'Q.850', cause: 16 }]);
});

test('RSN-7: Q.850 only: present, no SIP value, others carries it', () => {
  const r = parseReason(['Q.850;cause=16']);
  assert.deepEqual(r, { present: true, sipPresent: false, others: [{ protocol: 'Q.850', cause: 16 }] });
});

test('RSN-8: RELEASE_CAUSE with LWS before ; is accepted and upper-cased', () => {
  const r = parseReason(['RELEASE_CAUSE ;cause=1 ;text="User ends call"']);
  assert.deepEqual(r, { present: true, sipPresent: false, others: [{ protocol: 'RELEASE_CAUSE', cause: 1 }] });
  const lower = parseReason(['release_cause;cause=1']);
  assert.deepEqual(lower.others, [{ protocol: 'RELEASE_CAUSE', cause: 1 }]);
});

test('RSN-9: a SIP value without a cause is sipPresent with sipCause undefined', () => {
  const r = parseReason(['SIP;text="no cause"']);
  assert.equal(r.sipPresent, true);
  assert.equal(r.sipCause, undefined);
  assert.equal(r.text, 'no cause');
});

test('RSN-absent: no Reason header line at all is not present', () => {
  const r = reasonOf({ headers: { via: ['SIP/2.0/TCP x'] } });
  assert.deepEqual(r, { present: false, sipPresent: false, others: [] });
});
