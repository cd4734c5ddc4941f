// Pure parts of console security: hashing, roles, CSRF proof, cookies, login throttling, the
// post-login redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeNext } from '../../app/login/safe-next';
import { clearedCookies, parseCookies, sessionCookies } from './cookies';
import { csrfOk } from './csrf';
import { LoginThrottle } from './login-throttle';
import { hashPassword, passwordProblem, verifyPassword } from './password';
import { atLeast, requiredRole } from './roles';

test('security: scrypt hashes verify the right password only, carry their parameters and differ by salt', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('x', 'plain-text'), false);
  assert.equal(await verifyPassword('x', 'scrypt$999999999$8$1$AA==$AA=='), false);
  assert.equal(passwordProblem('short'), 'the password must have at least 10 characters');
  assert.equal(passwordProblem('long enough!'), undefined);
});

test('security: a viewer may only read; policy, rules, topology and demos need an operator; accounts need an admin', () => {
  assert.equal(requiredRole('GET', '/api/provider-policy'), 'viewer');
  assert.equal(requiredRole('PUT', '/api/provider-policy'), 'operator');
  assert.equal(requiredRole('POST', '/api/peers'), 'operator');
  assert.equal(requiredRole('DELETE', '/api/users/x/rules/y'), 'operator');
  assert.equal(requiredRole('GET', '/api/operators'), 'admin');
  assert.equal(requiredRole('POST', '/api/operators'), 'admin');
  assert.equal(requiredRole('POST', '/api/auth/logout'), 'viewer');
  assert.equal(atLeast('viewer', 'operator'), false);
  assert.equal(atLeast('admin', 'operator'), true);
});

test('security: CSRF proof is the session token in x-csrf-token or a same-origin Origin; cross-site never passes', () => {
  const host = '127.0.0.1:3000';
  assert.equal(csrfOk({ host, 'x-csrf-token': 'tok' }, 'tok'), true);
  assert.equal(csrfOk({ host, 'x-csrf-token': 'bad' }, 'tok'), false);
  assert.equal(csrfOk({ host, 'x-csrf-token': 'bad', origin: 'http://127.0.0.1:3000' }, 'tok'), false);
  assert.equal(csrfOk({ host }, 'tok'), false);
  assert.equal(csrfOk({ host, origin: 'http://127.0.0.1:3000' }, 'tok'), true);
  assert.equal(csrfOk({ host, origin: 'http://evil.example' }, 'tok'), false);
  assert.equal(csrfOk({ host, origin: 'null' }, 'tok'), false);
  assert.equal(csrfOk({ host, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'cross-site' }, 'tok'), false);
});

test('security: the session cookie is HttpOnly, Secure and SameSite=Strict; the CSRF cookie is readable by script', () => {
  const [session, csrf] = sessionCookies('T', 'C', 60);
  assert.match(session, /^pf_session=T; .*HttpOnly/);
  assert.match(session, /SameSite=Strict/);
  assert.match(session, /Secure/);
  assert.doesNotMatch(csrf, /HttpOnly/);
  assert.match(clearedCookies()[0], /Max-Age=0/);
  assert.deepEqual([...parseCookies('a=1; pf_session=xyz; a=2')], [['a', '1'], ['pf_session', 'xyz']]);
});

test('security: five failed logins for a name from an address block it for the window, others are unaffected', () => {
  let now = 0;
  const t = new LoginThrottle(() => now);
  for (let i = 0; i < 5; i++) t.failed('admin', '10.0.0.1');
  assert.ok(t.retryAfter('admin', '10.0.0.1') > 0);
  assert.equal(t.retryAfter('admin', '10.0.0.2'), 0);
  assert.equal(t.retryAfter('bob', '10.0.0.1'), 0);
  now += 15 * 60 * 1000 + 1;
  assert.equal(t.retryAfter('admin', '10.0.0.1'), 0);
});

test('security: after login only a local path is followed (no open redirect)', () => {
  assert.equal(safeNext('/decisions?procedure=IMDN-RX'), '/decisions?procedure=IMDN-RX');
  for (const bad of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/login?next=/x']) assert.equal(safeNext(bad), '/');
  // browsers drop tabs and newlines from URLs, so "/<TAB>/evil.example" is "//evil.example" (issue 18)
  for (const bad of ['/\t/evil.example/x', '/\n/evil.example/x', '/\r\n/evil.example', '/ /evil.example', '/\\/evil.example', '/%2F/x\u0000', '/\u2028/evil.example']) {
    assert.equal(safeNext(bad), '/', JSON.stringify(bad));
  }
  // whatever safeNext returns resolves to this origin
  for (const ok of ['/', '/decisions', '/users/bob%40example.com?x=1#h']) {
    assert.equal(new URL(safeNext(ok), 'https://pf.example').origin, 'https://pf.example');
    assert.equal(safeNext(ok), ok);
  }
});
