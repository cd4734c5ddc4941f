// The overload verdict (D-150, D-345, D-348): new requests are refused with 503 + Retry-After exactly when a
// measured signal reaches its limit; work already accepted (ACK, CANCEL, in-dialog) always passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { overloadVerdict, watchPending, PENDING_BURST_FACTOR, type OverloadLimits, type PendingWatch } from './overload';
import { OverloadGate } from './overload-gate';

const limits: OverloadLimits = { maxPending: 100, pendingGraceMs: 0, maxWaiting: 1000, maxLagMs: 200, retryAfterSec: 1 };
const fresh = { method: 'MESSAGE', inDialog: false };

test('overload: below every limit a new request is admitted; at any limit it gets 503 naming the signal', () => {
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 0, waiting: 0, pendingHighMs: 0 }, limits), { admit: true });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 199, pending: 99, waiting: 999, pendingHighMs: 0 }, limits), { admit: true });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 100, waiting: 0, pendingHighMs: 0 }, limits), { admit: false, status: 503, reason: 'pending', retryAfterSec: 1 });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 0, waiting: 1000, pendingHighMs: 0 }, limits), { admit: false, status: 503, reason: 'waiting', retryAfterSec: 1 });
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 200, pending: 0, waiting: 0, pendingHighMs: 0 }, limits), { admit: false, status: 503, reason: 'lag', retryAfterSec: 1 });
});

test('D-345 overload: requests waiting on a next hop are not held to the pending limit', () => {
  // five times the pending limit waiting on dead contacts, two of the PF's own: admitted
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 0, pending: 2, waiting: 500, pendingHighMs: 0 }, limits), { admit: true });
});

test('overload: a limit of 0 is off', () => {
  const off = { maxPending: 0, pendingGraceMs: 0, maxWaiting: 0, maxLagMs: 0, retryAfterSec: 1 };
  assert.deepEqual(overloadVerdict(fresh, { lagMs: 1e9, pending: 1e9, waiting: 1e9, pendingHighMs: 0 }, off), { admit: true });
});

const method = fc.constantFrom('MESSAGE', 'INVITE', 'SUBSCRIBE', 'REGISTER', 'OPTIONS', 'NOTIFY', 'BYE', 'ACK', 'CANCEL', 'UPDATE', 'INFO');
const headroom = fc.record({ lagMs: fc.nat(100_000), pending: fc.nat(100_000), waiting: fc.nat(100_000), pendingHighMs: fc.nat(100_000) });
const someLimits = fc.record({ maxPending: fc.nat(10_000), pendingGraceMs: fc.nat(10_000), maxWaiting: fc.nat(10_000), maxLagMs: fc.nat(10_000), retryAfterSec: fc.integer({ min: 1, max: 3600 }) });

test('overload (property): refused ⇔ new work and a signal at its limit; a refusal is 503 with the configured Retry-After', () => {
  fc.assert(
    fc.property(method, fc.boolean(), headroom, someLimits, (m, inDialog, h, l) => {
      const v = overloadVerdict({ method: m, inDialog }, h, l);
      const newWork = !inDialog && m !== 'ACK' && m !== 'CANCEL';
      const pendingOver = l.maxPending > 0 && h.pending >= l.maxPending && (h.pending >= PENDING_BURST_FACTOR * l.maxPending || h.pendingHighMs >= l.pendingGraceMs);
      const over = pendingOver || (l.maxWaiting > 0 && h.waiting >= l.maxWaiting) || (l.maxLagMs > 0 && h.lagMs >= l.maxLagMs);
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
      const less = { lagMs: Math.min(a.lagMs, b.lagMs), pending: Math.min(a.pending, b.pending), waiting: Math.min(a.waiting, b.waiting), pendingHighMs: Math.min(a.pendingHighMs, b.pendingHighMs) };
      const more = { lagMs: Math.max(a.lagMs, b.lagMs), pending: Math.max(a.pending, b.pending), waiting: Math.max(a.waiting, b.waiting), pendingHighMs: Math.max(a.pendingHighMs, b.pendingHighMs) };
      const req = { method: m, inDialog };
      return !overloadVerdict(req, more, l).admit || overloadVerdict(req, less, l).admit;
    }),
  );
});

// D-348: a burst against a standing queue.
const graced: OverloadLimits = { maxPending: 100, pendingGraceMs: 250, maxWaiting: 0, maxLagMs: 0, retryAfterSec: 1 };

test('D-348 overload: during the grace a burst is admitted up to four times the pending limit; past the grace the limit holds', () => {
  const at = (pending: number, pendingHighMs: number) => overloadVerdict(fresh, { lagMs: 0, pending, waiting: 0, pendingHighMs }, graced).admit;
  assert.equal(at(100, 0), true, 'just high: admitted');
  assert.equal(at(399, 249), true, 'below four times the limit within the grace: admitted');
  assert.equal(at(400, 0), false, 'four times the limit: refused at once');
  assert.equal(at(100, 250), false, 'high for the whole grace: refused');
  assert.equal(at(99, 10_000), true, 'below the limit: admitted, however long it stood high');
});

test('D-348 overload: the pending count stands high from reaching the limit until it has stayed below half of it for the calm period', () => {
  let w: PendingWatch = {};
  const read = (pending: number, t: number) => (w = watchPending(w, pending, 100, 250, t)).highSince;
  assert.equal(read(99, 0), undefined);
  assert.equal(read(100, 10), 10);
  assert.equal(read(60, 20), 10, 'between half and the limit it stays high');
  assert.equal(read(20, 30), 10, 'a dip below half (a batch answered at once) does not end it');
  assert.equal(read(150, 40), 10, 'refilled: the same standing queue');
  assert.equal(read(40, 50), 10, 'below half since the reading before (at 40): the count can only have fallen after it');
  assert.equal(read(30, 289), 10, 'low for 249 ms: still high');
  assert.equal(read(30, 290), undefined, 'low for the whole calm period: no longer high');
  assert.equal(read(120, 310), 310, 'a new burst starts a new grace');
  assert.equal(read(10, 900), undefined, 'after a silence (the count can only fall) a low reading ends it');
  assert.deepEqual(watchPending({ highSince: 5, at: 5 }, 1e9, 0, 250, 10), {}, 'no limit: never high');
});

/** readings of the pending count at rising times */
const readings = fc.array(fc.record({ pending: fc.nat(1000), dt: fc.nat(400) }), { minLength: 1, maxLength: 60 });
const gateLimits = fc.record({ maxPending: fc.integer({ min: 1, max: 300 }), pendingGraceMs: fc.nat(1000), maxWaiting: fc.constant(0), maxLagMs: fc.constant(0), retryAfterSec: fc.constant(1) });

test('D-348 overload (property): the gate refuses a new request for pending exactly when the count is at four times the limit, or at the limit and standing high (since it reached it, until it stayed below half of it for the grace) for the whole grace', () => {
  fc.assert(
    fc.property(readings, gateLimits, (rs, l) => {
      let t = 0;
      const gate = new OverloadGate(l, () => t);
      let start: number | undefined; // the model: when the standing queue began
      let low: number | undefined; // and since when it has been below half of the limit
      let last: number | undefined;
      for (const r of rs) {
        t += r.dt;
        if (start === undefined) {
          if (r.pending >= l.maxPending) start = t;
        } else if (r.pending >= l.maxPending / 2) low = undefined;
        else {
          low ??= last ?? t;
          if (t - low >= l.pendingGraceMs) start = low = undefined;
        }
        last = t;
        const expectRefused = r.pending >= l.maxPending && (r.pending >= PENDING_BURST_FACTOR * l.maxPending || (start !== undefined && t - start >= l.pendingGraceMs));
        const v = gate.verdict(fresh, { lagMs: 0, pending: r.pending, waiting: 0 });
        assert.equal(!v.admit, expectRefused, `pending ${r.pending} at ${t} (standing since ${start})`);
        if (!v.admit) assert.equal(v.reason, 'pending');
      }
    }),
  );
});

test('D-348 overload (property): with no grace the gate is the plain limit of D-150', () => {
  fc.assert(
    fc.property(readings, gateLimits, (rs, l) => {
      let t = 0;
      const gate = new OverloadGate({ ...l, pendingGraceMs: 0 }, () => t);
      for (const r of rs) {
        t += r.dt;
        assert.equal(gate.verdict(fresh, { lagMs: 0, pending: r.pending, waiting: 0 }).admit, r.pending < l.maxPending);
      }
    }),
  );
});

test('D-348 overload (property): requests that finish accepted work pass the gate and still count as readings', () => {
  fc.assert(
    fc.property(readings, gateLimits, (rs, l) => {
      let t = 0;
      const a = new OverloadGate(l, () => t);
      const b = new OverloadGate(l, () => t);
      for (const r of rs) {
        t += r.dt;
        // gate a also sees an in-dialog request at each reading; its verdicts on new work match b's
        assert.equal(a.verdict({ method: 'BYE', inDialog: true }, { lagMs: 0, pending: r.pending, waiting: 0 }).admit, true);
        assert.deepEqual(a.verdict(fresh, { lagMs: 0, pending: r.pending, waiting: 0 }), b.verdict(fresh, { lagMs: 0, pending: r.pending, waiting: 0 }));
      }
    }),
  );
});
