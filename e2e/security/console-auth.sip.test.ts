// Console access on the whole product: nothing but the login page and health is reachable signed
// out, roles are enforced by the API, state-changing calls need CSRF proof, the live stream needs
// a session, and logins and edits land in the audit log with the operator's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io as connectIo } from 'socket.io-client';
import { openDatabase } from '../../server/store/database';
import { consoleLogin, startProduct } from '../support/product';
import { listAudit } from '../../server/store/audit';
import { listOperatorRecords } from '../../server/store/operators';

function socketOutcome(url: string, cookie?: string): Promise<'connected' | string> {
  const s = connectIo(url, { path: '/socket.io', transports: ['websocket'], reconnection: false, timeout: 10_000, extraHeaders: cookie ? { cookie } : {} });
  return new Promise((resolve) => {
    s.on('connect', () => {
      s.close();
      resolve('connected');
    });
    s.on('connect_error', (e) => {
      s.close();
      resolve(e.message);
    });
  });
}

test('console security: sign-in, roles on the API, CSRF, authenticated socket.io, audit of logins and edits', async () => {
  const product = await startProduct();
  const db = await openDatabase(product.databaseUrl, { busyTimeoutMs: 5000 }); // beside the running PF
  try {
    const url = product.httpUrl;
    // signed out: API 401, pages to /login, health and the login page open
    assert.equal((await fetch(`${url}/api/decisions`)).status, 401);
    assert.equal((await fetch(`${url}/api/provider-policy`, { method: 'PUT', body: '{}' })).status, 401);
    const page = await fetch(`${url}/decisions?procedure=IMDN-RX`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent('/decisions?procedure=IMDN-RX')}`);
    assert.equal((await fetch(`${url}/login`)).status, 200);
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
    // a forged x-operator header names nobody
    assert.equal((await fetch(`${url}/api/users`, { headers: { 'x-operator': 'admin' } })).status, 401);

    // wrong password: 401, audited; unknown user the same answer
    const bad = await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'not the password' }) });
    assert.equal(bad.status, 401);
    assert.equal((await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'nobody', password: 'not the password' }) })).status, 401);

    // the env admin creates a viewer and an operator
    const admin = product.login;
    assert.equal(admin.role, 'admin', 'the product is not gated: server/index.ts must call security.gate (see SECURITY.md)');
    const cookies = (await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify(product.admin) })).headers.getSetCookie();
    assert.ok(cookies.some((c) => /^pf_session=[^;]+;.*HttpOnly/.test(c) && /SameSite=Strict/.test(c) && /Secure/.test(c)), cookies.join('\n'));
    for (const [username, role] of [['vera', 'viewer'], ['otto', 'operator']]) {
      const r = await admin.fetch('/api/operators', { method: 'POST', body: JSON.stringify({ username, password: `${username}-password-1`, role }) });
      assert.equal(r.status, 200, await r.text());
    }
    const weak = await admin.fetch('/api/operators', { method: 'POST', body: JSON.stringify({ username: 'w', password: 'short', role: 'superuser' }) });
    assert.equal(weak.status, 400);
    const viewer = await consoleLogin(url, 'vera', 'vera-password-1');
    const operator = await consoleLogin(url, 'otto', 'otto-password-1');

    // a viewer reads but cannot change policy, topology or accounts
    assert.equal((await viewer.fetch('/api/provider-policy')).status, 200);
    assert.equal((await viewer.fetch('/api/provider-policy', { method: 'PUT', body: '{}' })).status, 403);
    assert.equal((await viewer.fetch('/api/peers', { method: 'POST', body: JSON.stringify({ role: 'CF', name: 'cf', address: '127.0.0.1:5070' }) })).status, 403);
    assert.equal((await viewer.fetch('/api/operators')).status, 403);
    assert.equal((await operator.fetch('/api/operators', { method: 'POST', body: JSON.stringify({ username: 'x', password: 'x-password-1', role: 'admin' }) })).status, 403);

    // an operator changes policy, but only with CSRF proof
    const noCsrf = await fetch(`${url}/api/provider-policy`, { method: 'PUT', headers: { cookie: operator.cookie }, body: '{}' });
    assert.equal(noCsrf.status, 403);
    const crossSite = await fetch(`${url}/api/provider-policy`, { method: 'PUT', headers: { cookie: operator.cookie, origin: 'http://evil.example' }, body: '{}' });
    assert.equal(crossSite.status, 403);
    const sameSite = await fetch(`${url}/api/provider-policy`, { method: 'PUT', headers: { cookie: operator.cookie, origin: url }, body: '{}' });
    assert.equal(sameSite.status, 200, await sameSite.text());
    const put = await operator.fetch('/api/provider-policy', { method: 'PUT', headers: { 'x-operator': 'admin' }, body: '{}' });
    assert.equal(put.status, 200, await put.text());

    // socket.io: refused without a session or from another origin, accepted with one
    assert.notEqual(await socketOutcome(url), 'connected');
    assert.equal(await socketOutcome(url, operator.cookie), 'connected');

    // logout ends the session at once
    assert.equal((await viewer.fetch('/api/auth/logout', { method: 'POST' })).status, 200);
    assert.equal((await viewer.fetch('/api/users')).status, 401);
    assert.notEqual(await socketOutcome(url, viewer.cookie), 'connected');

    const audit = (await listAudit(db.store, { limit: 10_000 })).reverse();
    const actions = audit.map((a) => a.action);
    assert.ok(actions.includes('auth.login-failed'));
    assert.ok(actions.filter((a) => a === 'auth.login').length >= 3);
    assert.ok(actions.includes('auth.logout'));
    assert.deepEqual(audit.filter((a) => a.action === 'operator.create').map((a) => a.target).sort(), ['operator:admin', 'operator:otto', 'operator:vera']);
    const edits = audit.filter((a) => a.target === 'provider-policy');
    assert.ok(edits.length >= 2, actions.join(', '));
    assert.ok(edits.every((e) => e.actor.startsWith('otto ')), edits.map((e) => e.actor).join(', '));
    // only hashes are stored
    const stored = await listOperatorRecords(db.store);
    assert.ok(stored.every((o) => o.passwordHash.startsWith('scrypt$') && !o.passwordHash.includes('password-1')));
  } finally {
    await db.close();
    await product.stop();
  }
});
