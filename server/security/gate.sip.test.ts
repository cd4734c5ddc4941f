// The console gate over real HTTP and socket.io with a real (SQLite) database (issue 18):
// behind a trusted reverse proxy the client address comes from X-Forwarded-For, so five bad
// guesses from elsewhere do not lock the real admin out; one address spraying names is locked;
// failed logins are audited with a cap; a live socket is closed when its session signs out and
// when it expires.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Server } from 'socket.io';
import { io as connectIo, type Socket } from 'socket.io-client';
import { consoleRequestHandler } from '../http/console-handler';
import { openDatabase, type OpenDatabase } from '../store/database';
import { listAudit } from '../store/audit';
import { createSecurity, type Security } from './gate';
import type { Logger } from '../log';

const PASSWORD = 'the-admin-password-1';
const SESSION_TTL_MS = 3000;
let dir = '';
let db: OpenDatabase;
let http: HttpServer;
let io: Server;
let security: Security;
let base = '';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-gate-'));
  db = await openDatabase(`file:${path.join(dir, 'pf.db')}`);
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
  security = await createSecurity(db.store, { env: { PF_ADMIN_PASSWORD: PASSWORD }, log: quiet, trustedProxies: ['127.0.0.1'], sessionTtlMs: SESSION_TTL_MS });
  http = createServer(consoleRequestHandler({ gate: security.gate, api: async () => false, render: (_q, r) => void r.writeHead(200).end('page'), log: () => {} }));
  io = new Server(http, { path: '/socket.io', serveClient: false });
  io.use(security.socketMiddleware as never);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as net.AddressInfo).port}`;
});

after(async () => {
  security.close();
  await io.close();
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const login = (username: string, password: string, from: string) =>
  fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ username, password }) });

async function signIn(from: string): Promise<{ cookie: string; csrf: string }> {
  const r = await login('admin', PASSWORD, from);
  assert.equal(r.status, 200, await r.clone().text());
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), csrf: body.csrfToken };
}

function openSocket(cookie: string): Promise<Socket> {
  const s = connectIo(base, { path: '/socket.io', transports: ['websocket'], reconnection: false, timeout: 5000, extraHeaders: { cookie } });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => { s.close(); reject(e); });
  });
}

const disconnected = (s: Socket, ms: number) => new Promise<boolean>((resolve) => {
  if (!s.connected) return resolve(true);
  const t = setTimeout(() => resolve(false), ms);
  s.once('disconnect', () => { clearTimeout(t); resolve(true); });
});

test('gate: behind a trusted proxy, bad guesses from other clients do not lock the real admin out; a spraying address is locked; failures are audited with a cap', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await login('admin', 'wrong-password-xx', `203.0.113.${i}`)).status, 401);
  // the real admin, at another address behind the same proxy, signs in at once
  await signIn('198.51.100.7');
  // one address trying many names is locked; others are not
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await login(`guess${i}`, 'wrong-password-xx', '192.0.2.66')).status);
  assert.equal(statuses.filter((s) => s === 401).length, 20, statuses.join(' '));
  assert.ok(statuses.slice(20).every((s) => s === 429));
  await signIn('198.51.100.7');
  // 25 failures were written: at most 20 rows in this minute, the rest counted for an aggregate row
  const rows = (await listAudit(db.store, { actionPrefix: 'auth.login-failed', limit: 1000 })).length;
  assert.ok(rows <= 20, `${rows} failure rows`);
  const actors = (await listAudit(db.store, { actionPrefix: 'auth.login', limit: 1000 })).filter((a) => a.action === 'auth.login').map((a) => a.actor);
  assert.ok(actors.every((a) => a === 'admin (198.51.100.7)'), actors.join(', '));
});

test('gate: a live socket is closed when its session signs out, and when it expires', async () => {
  const a = await signIn('198.51.100.8');
  const s1 = await openSocket(a.cookie);
  const out = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
  assert.equal(out.status, 200);
  assert.ok(await disconnected(s1, 5000), 'the socket outlived the sign-out');
  s1.close();

  const b = await signIn('198.51.100.9');
  const s2 = await openSocket(b.cookie);
  assert.ok(await disconnected(s2, SESSION_TTL_MS + 5000), 'the socket outlived its session');
  s2.close();
  await assert.rejects(openSocket(b.cookie), /sign in first/);
});
