import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bearerMatches } from './endpoint';

test('metrics endpoint (D-220): only "Bearer <the token>" matches; any other header does not', () => {
  const token = 'metrics-token-0123456789';
  assert.equal(bearerMatches(`Bearer ${token}`, token), true);
  assert.equal(bearerMatches(`bearer ${token}`, token), true, 'the scheme is case-insensitive (RFC 7235)');
  for (const h of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, `Bearer  ${token} extra`]) assert.equal(bearerMatches(h, token), false, String(h));
  fc.assert(fc.property(fc.string(), (h) => bearerMatches(h, token) === (/^bearer +/i.test(h) && h.replace(/^bearer +/i, '') === token)));
});
