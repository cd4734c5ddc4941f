// The console's door: every HTTP request passes gate() before the API router and Next.js, and
// every socket.io connection passes socketMiddleware. Signed-out page requests are sent to
// /login, signed-out API calls get 401, a role too low gets 403, a state-changing call without
// CSRF proof gets 403. The authenticated name replaces any client-sent x-operator header, which
// the API routes use as the audit actor.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/http-error';
import { logger, type Logger } from '../log';
import type { Db } from '../store/database';
import { login, logout, operatorsCreate, operatorsList, sendJson, type AuthDeps } from './auth-routes';
import { parseCookies, SESSION_COOKIE } from './cookies';
import { csrfOk, sameOrigin } from './csrf';
import { clientAddress, FailureAudit, LoginThrottle } from './login-throttle';
import { ensureFirstAdmin } from './operators';
import { writeAudit } from '../store/audit';
import { atLeast, isSafeMethod, requiredRole } from './roles';
import { SessionStore, type SessionInfo } from './sessions';

export interface Security {
  /** true when the gate answered the request itself (denied, redirected, or an /api/auth call) */
  gate(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** for io.use(): refuses connections without a live session; closes each one when its session ends */
  socketMiddleware(socket: GatedSocket, next: (err?: Error) => void): void;
  sessions: SessionStore;
  close(): void;
}

/** The slice of a socket.io Socket the gate needs. */
export interface GatedSocket {
  request: IncomingMessage;
  data: Record<string, unknown>;
  disconnect(close?: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

// Reachable signed out: the login page and what it needs to render, liveness for monitors.
const PUBLIC_PREFIXES = ['/_next/', '/login'];
const PUBLIC_FILES = new Set(['/icon.svg', '/favicon.ico', '/robots.txt']);

function isPublic(method: string, pathname: string): boolean {
  if (pathname === '/api/health' && isSafeMethod(method)) return true;
  if (pathname === '/api/auth/login') return true;
  if (pathname.startsWith('/api/')) return false;
  return PUBLIC_FILES.has(pathname) || PUBLIC_PREFIXES.some((p) => pathname === p.replace(/\/$/, '') || pathname.startsWith(p));
}

export interface SecurityOptions {
  env?: Record<string, string | undefined>;
  log?: Logger;
  now?: () => number;
  /** reverse proxies whose X-Forwarded-For names the client (PF_TRUSTED_PROXIES) */
  trustedProxies?: string[];
  /** session lifetime (tests) */
  sessionTtlMs?: number;
}

export async function createSecurity(db: Db, opts: SecurityOptions = {}): Promise<Security> {
  const log = opts.log ?? logger('security');
  const admin = await ensureFirstAdmin(db, opts.env ?? process.env);
  if (admin.generatedPassword) {
    // Printed once, at the start that created the account; only its scrypt hash is kept.
    process.stdout.write(`\nconsole: created admin "${admin.username}" with the one-time password ${admin.generatedPassword}\n` +
      `console: sign in at /login and create named accounts; set PF_ADMIN_PASSWORD to reset it\n\n`);
  } else if (admin.created) log.info(`created console admin "${admin.username}" from PF_ADMIN_PASSWORD`);

  const sessions = new SessionStore(db, opts.now, opts.sessionTtlMs);
  // live sockets by session: closed at sign-out, revocation and expiry (a socket outliving its
  // session would keep streaming decisions to a signed-out browser; issue 18)
  const sockets = new Map<GatedSocket, { sessionId: string; operatorId: string; timer: NodeJS.Timeout }>();
  const closeWhere = (match: (s: { sessionId: string; operatorId: string }) => boolean) => {
    for (const [socket, s] of sockets) if (match(s)) socket.disconnect(true);
  };
  sessions.onEnd((end) => closeWhere((s) => ('sessionId' in end ? s.sessionId === end.sessionId : s.operatorId === end.operatorId)));
  const trusted = new Set(opts.trustedProxies ?? []);
  const failureAudit = new FailureAudit({ now: opts.now });
  const deps: AuthDeps = { db, sessions, throttle: new LoginThrottle({ now: opts.now }), failureAudit, addressOf: (req) => clientAddress(req, trusted) };
  const purge = setInterval(() => void sessions.purgeExpired().catch(() => undefined), 10 * 60 * 1000);
  purge.unref();
  // the aggregate row of failed logins past the per-minute cap, once their minute is over
  const flushAudit = setInterval(() => {
    for (const row of failureAudit.flush()) void writeAudit(db, row).catch((e: Error) => log.warn(`audit: ${e.message}`));
  }, 60_000);
  flushAudit.unref();

  const sessionOf = (req: IncomingMessage): Promise<SessionInfo | undefined> => sessions.lookup(parseCookies(req.headers.cookie).get(SESSION_COOKIE));

  async function decide(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    delete req.headers['x-operator'];
    if (path === '/api/auth/login' && method === 'POST') {
      await login(deps, req, res);
      return true;
    }
    if (isPublic(method, path)) return false;

    const session = await sessionOf(req);
    const isApi = path.startsWith('/api/');
    if (!session) {
      if (isApi) sendJson(res, 401, { error: 'sign in first (POST /api/auth/login)' });
      else {
        const next = encodeURIComponent(`${path}${url.search}`);
        res.writeHead(303, { location: `/login?next=${next}`, 'cache-control': 'no-store' });
        res.end();
      }
      return true;
    }
    if (isApi && !isSafeMethod(method) && !csrfOk(req.headers, session.csrfToken)) {
      sendJson(res, 403, { error: 'missing or wrong CSRF token (send the pf_csrf cookie value in x-csrf-token)' });
      return true;
    }
    const needed = requiredRole(method, path);
    if (isApi && !atLeast(session.role, needed)) {
      sendJson(res, 403, { error: `${session.username} is a ${session.role}; this needs the ${needed} role` });
      return true;
    }
    req.headers['x-operator'] = session.username;
    if (path === '/api/auth/me' && method === 'GET') {
      sendJson(res, 200, { username: session.username, role: session.role, csrfToken: session.csrfToken });
      return true;
    }
    if (path === '/api/auth/logout' && method === 'POST') {
      await logout(deps, req, res, session);
      return true;
    }
    if (path === '/api/operators' && method === 'GET') {
      await operatorsList(deps, res);
      return true;
    }
    if (path === '/api/operators' && method === 'POST') {
      await operatorsCreate(deps, req, res, session);
      return true;
    }
    return false;
  }

  return {
    sessions,
    async gate(req, res, url) {
      try {
        return await decide(req, res, url);
      } catch (err) {
        if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
        else {
          // most likely the database: refuse rather than let anyone in
          log.warn(`${req.method} ${url.pathname}: ${(err as Error).message}`);
          sendJson(res, 503, { error: 'the console cannot check sessions right now' }, { 'retry-after': '5' });
        }
        return true;
      }
    },
    socketMiddleware(socket, next) {
      const req = socket.request;
      // a cross-site page cannot open the stream with the operator's cookie (CSWSH)
      if (req.headers.origin && !sameOrigin(req.headers)) return next(new Error('cross-origin connection refused'));
      sessionOf(req)
        .then((s) => {
          if (!s) return next(new Error('sign in first'));
          socket.data.operator = s.username;
          socket.data.role = s.role;
          const now = (opts.now ?? Date.now)();
          const timer = setTimeout(() => { sockets.delete(socket); socket.disconnect(true); }, Math.min(Math.max(0, s.expiresAt - now), 2 ** 31 - 1));
          timer.unref();
          sockets.set(socket, { sessionId: s.id, operatorId: s.operatorId, timer });
          socket.once('disconnect', () => {
            clearTimeout(timer);
            sockets.delete(socket);
          });
          next();
        })
        .catch(() => next(new Error('the console cannot check sessions right now')));
    },
    close() {
      for (const s of sockets.values()) clearTimeout(s.timer);
      clearInterval(purge);
      clearInterval(flushAudit);
    },
  };
}
