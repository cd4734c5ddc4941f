// RFC 3261 §19.3: tags, branches and Call-IDs must be unique and random. randomToken serves them
// from a pool of random bytes: every token has the asked length, is hex, and no token repeats,
// across pool refills and for any mix of lengths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomToken } from './ua';

test('RFC3261-19.3 randomToken: hex of the asked length, never repeated across pool refills', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 300 }), (lengths) => {
      const seen = new Set<string>();
      for (const n of lengths) {
        const t = randomToken(n);
        assert.match(t, new RegExp(`^[0-9a-f]{${2 * n}}$`));
        if (n >= 6) {
          assert.ok(!seen.has(t), 'a token repeated');
          seen.add(t);
        }
      }
    }),
    { numRuns: 50 },
  );
});
