import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSubscriptionState } from './subscription-state';

const ssish = fc.stringMatching(/^[A-Za-z0-9;=" \t-]{0,60}$/);

test('SSP-5: property — any string gives a typed value or a typed error, never a throw', () => {
  fc.assert(
    fc.property(fc.option(fc.oneof(fc.string(), ssish, fc.string({ unit: 'binary' })), { nil: undefined }), (raw) => {
      const r = parseSubscriptionState(raw);
      if (r.ok) {
        assert.ok(['active', 'pending', 'terminated'].includes(r.value.state));
        if (r.value.reason !== undefined) assert.equal(r.value.reason, r.value.reason.toLowerCase());
        for (const n of [r.value.expires, r.value.retryAfter]) if (n !== undefined) assert.ok(Number.isSafeInteger(n) && n >= 0);
      } else {
        assert.ok(['MISSING', 'UNKNOWN_STATE', 'UNTERMINATED_QUOTE'].includes(r.error.code));
      }
    }),
    { numRuns: 2000 },
  );
});

const lws = fc.constantFrom('', ' ', '  ', '\t');
const caseOf = (s: string, mask: boolean[]) => [...s].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c)).join('');

test('SSP-2: property — LWS and case never change what a well-formed value means', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('active', 'pending', 'terminated'),
      fc.constantFrom('noresource', 'deactivated', 'timeout', 'probation', 'giveup', 'rejected', 'invariant'),
      fc.nat(100000),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
      lws,
      lws,
      (state, reason, n, mask, a, b) => {
        const raw = `${caseOf(state, mask)}${a};${b}${caseOf('reason', mask)}${a}=${b}${caseOf(reason, mask)}${a};${b}retry-after${a}=${b}${n}`;
        const r = parseSubscriptionState(raw);
        assert.ok(r.ok, raw);
        assert.deepEqual(r.value, { state, reason, retryAfter: n });
      },
    ),
    { numRuns: 500 },
  );
});
