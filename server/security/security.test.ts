// Pure parts of console security: hashing, roles, CSRF proof, cookies, login throttling, the
// post-login redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeNext } from '../../app/login/safe-next';
import { clearedCookies, parseCookies, sessionCookies } from './cookies';
import { csrfOk } from './csrf';
import { clientAddress, FailureAudit, LoginThrottle } from './login-throttle';
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

test('security: failures from one address lock that address for the window, whatever names it tries', () => {
  let now = 0;
  const t = new LoginThrottle({ now: () => now });
  for (let i = 0; i < 20; i++) t.failed(`name${i}`, '10.0.0.1');
  assert.ok(t.retryAfter('someone', '10.0.0.1') > 0);
  assert.equal(t.retryAfter('someone', '10.0.0.2'), 0);
  now += 15 * 60 * 1000 + 1;
  assert.equal(t.retryAfter('someone', '10.0.0.1'), 0);
});

test('security: an account under attack from many addresses backs off (at most a minute), never a 15-minute lockout; success resets it', () => {
  let now = 0;
  const t = new LoginThrottle({ now: () => now });
  for (let i = 0; i < 5; i++) t.failed('admin', `10.1.0.${i}`, true);
  assert.equal(t.retryAfter('admin', '192.0.2.7', true), 0, 'five failures are free');
  for (let i = 0; i < 20; i++) {
    const wait = t.retryAfter('admin', `10.2.0.${i}`, true);
    assert.ok(wait <= 60, `backoff ${wait} s`);
    now += wait * 1000;
    t.failed('admin', `10.2.0.${i}`, true);
  }
  const wait = t.retryAfter('admin', '192.0.2.7', true);
  assert.ok(wait > 0 && wait <= 60, `the real admin waits ${wait} s`);
  now += wait * 1000;
  assert.equal(t.retryAfter('admin', '192.0.2.7', true), 0);
  t.succeeded('admin', '192.0.2.7');
  assert.equal(t.retryAfter('admin', '10.9.9.9', true), 0);
});

test('security: the throttle cannot be flushed: 10,000 failures on other names or addresses forget neither a locked address nor an account\'s backoff', () => {
  let now = 0;
  const t = new LoginThrottle({ now: () => now });
  for (let i = 0; i < 20; i++) t.failed('admin', '10.0.0.1', true);
  const locked = t.retryAfter('admin', '10.0.0.1', true);
  assert.ok(locked > 0);
  for (let i = 0; i < 30_000; i++) t.failed(`u${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  assert.ok(t.retryAfter('admin', '10.0.0.1', true) > 0, 'the locked address was forgotten');
  assert.ok(t.retryAfter('admin', '192.0.2.1', true) > 0, 'the account backoff was forgotten');
  assert.ok(t.size() <= 20_100, `${t.size()} entries kept`);
});

test('security: behind a trusted proxy the client is the address X-Forwarded-For names; from anyone else the header is ignored', () => {
  const req = (remote: string, xff?: string) => ({ socket: { remoteAddress: remote }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as never;
  const trusted = new Set(['127.0.0.1', '10.0.0.5']);
  assert.equal(clientAddress(req('127.0.0.1', '203.0.113.9'), trusted), '203.0.113.9');
  assert.equal(clientAddress(req('::ffff:127.0.0.1', '198.51.100.1, 203.0.113.9'), trusted), '203.0.113.9');
  assert.equal(clientAddress(req('127.0.0.1', '203.0.113.9, 10.0.0.5'), trusted), '203.0.113.9', 'a chain of trusted proxies is walked from the right');
  assert.equal(clientAddress(req('192.0.2.50', '203.0.113.9'), trusted), '192.0.2.50', 'an untrusted sender cannot choose its address');
  assert.equal(clientAddress(req('127.0.0.1', 'not-an-ip'), trusted), '127.0.0.1');
  assert.equal(clientAddress(req('127.0.0.1'), trusted), '127.0.0.1');
  assert.equal(clientAddress(req('127.0.0.1', '203.0.113.9'), new Set()), '127.0.0.1');
});

test('security: failed logins are audited one by one up to a cap a minute, then as one aggregate row', () => {
  let now = 0;
  const a = new FailureAudit({ now: () => now, perMinute: 10 });
  const rows: string[] = [];
  for (let i = 0; i < 5000; i++) for (const r of a.record(`u${i} (10.0.0.1)`, `operator:u${i}`)) rows.push(r.action);
  assert.equal(rows.length, 10);
  now += 60_001;
  for (const r of a.record('x (10.0.0.1)', 'operator:x')) rows.push(`${r.action} ${r.target}`);
  assert.equal(rows.length, 12);
  assert.match(rows[10], /^auth\.login-failed-aggregate 4990 failed logins/);
  assert.equal(rows[11], 'auth.login-failed operator:x');
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
