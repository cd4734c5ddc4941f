// The overload verdict (D-150, D-345): new requests are refused with 503 + Retry-After exactly when a
// measured signal reaches its limit; work already accepted (ACK, CANCEL, in-dialog) always passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { overloadVerdict, type OverloadLimits } from './overload';

const limits: OverloadLimits = { maxPending: 100, maxWaiting: 1000, maxLagMs: 200, retryAfterSec: 1 };
const fresh = { method: 'MESSAGE', inDialog: false };

test('overload: below every limit a new request is admitted; at any limit it gets 503 naming the signal', () => {
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 0, waiting: 0 }, limits), { admit: true });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 199, pending: 99, waiting: 999 }, limits), { admit: true });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 100, waiting: 0 }, limits), { admit: false, status: 503, reason: 'pending', retryAfterSec: 1 });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 0, waiting: 1000 }, limits), { admit: false, status: 503, reason: 'waiting', retryAfterSec: 1 });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 200, pending: 0, waiting: 0 }, limits), { admit: false, status: 503, reason: 'lag', retryAfterSec: 1 });
});

test('D-345 overload: requests waiting on a next hop are not held to the pending limit', () => {
  // five times the pending limit waiting on dead contacts, two of the PF's own: admitted
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 2, waiting: 500 }, limits), { admit: true });
});

test('overload: a limit of 0 is off', () => {
  const off = { maxPending: 0, maxWaiting: 0, maxLagMs: 0, retryAfterSec: 1 };
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 1e9, pending: 1e9, waiting: 1e9 }, off), { admit: true });
});

const method = fc.constantFrom('MESSAGE', 'INVITE', 'SUBSCRIBE', 'REGISTER', 'OPTIONS', 'NOTIFY', 'BYE', 'ACK', 'CANCEL', 'UPDATE', 'INFO');
const headroom = fc.record({ lagMs: fc.nat(100_000), pending: fc.nat(100_000), waiting: fc.nat(100_000) });
const someLimits = fc.record({ maxPending: fc.nat(10_000), maxWaiting: fc.nat(10_000), maxLagMs: fc.nat(10_000), retryAfterSec: fc.integer({ min: 1, max: 3600 }) });

test('overload (property): refused ⇔ new work and a signal at its limit; a refusal is 503 with the configured Retry-After', () => {
  fc.assert(
    fc.property(method, fc.boolean(), headroom, someLimits, (m, inDialog, h, l) => {
      const v = overloadVerdict({ method: m, inDialog }, h, l);
      const newWork = !inDialog && m !== 'ACK' && m !== 'CANCEL';
      const over = (l.maxPending > 0 && h.pending >= l.maxPending) || (l.maxWaiting > 0 && h.waiting >= l.maxWaiting) || (l.maxLagMs > 0 && h.lagMs >= l.maxLagMs);
      assert.equal(v.admit, !(newWork && over));
      if (!v.admit) {
        assert.equal(v.status, 503);
        assert.equal(v.retryAfterSec, l.retryAfterSec);
      }
    }),
  );
});

test('overload (property): less load never turns an admission into a refusal', () => {
  fc.assert(
    fc.property(method, fc.boolean(), headroom, headroom, someLimits, (m, inDialog, a, b, l) => {
      const less = { lagMs: Math.min(a.lagMs, b.lagMs), pending: Math.min(a.pending, b.pending), waiting: Math.min(a.waiting, b.waiting) };
      const more = { lagMs: Math.max(a.lagMs, b.lagMs), pending: Math.max(a.pending, b.pending), waiting: Math.max(a.waiting, b.waiting) };
      const req = { method: m, inDialog };
      return !overloadVerdict(req, more, l).admit || overloadVerdict(req, less, l).admit;
    }),
  );
});
