// The console's own account endpoints, answered by the gate before the API router:
//   POST /api/auth/login {username, password}  → session cookies + {username, role, csrfToken}
//   POST /api/auth/logout                      → cookies cleared
//   GET  /api/auth/me                          → who is signed in
//   GET  /api/operators, POST /api/operators {username, password, role}   (admin)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody } from '../http/read-body';
import { HttpError } from '../http/http-error';
import type { Db } from '../store/database';
import { writeAudit } from '../store/audit';
import { findOperator } from '../store/operators';
import { clearedCookies, sessionCookies } from './cookies';
import type { FailureAudit, LoginThrottle } from './login-throttle';
import { createOperator, listOperators, usernameProblem } from './operators';
import { DECOY_HASH, passwordProblem, verifyPassword } from './password';
import { isRole } from './roles';
import type { SessionInfo, SessionStore } from './sessions';

export interface AuthDeps {
  db: Db;
  sessions: SessionStore;
  throttle: LoginThrottle;
  failureAudit: FailureAudit;
  /** the client's address (X-Forwarded-For only from a trusted proxy) */
  addressOf(req: IncomingMessage): string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function objectBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export async function login(deps: AuthDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await objectBody(req);
  const username = typeof body.username === 'string' ? body.username : '';
  const password = typeof body.password === 'string' ? body.password : '';
  const address = deps.addressOf(req);
  const op = usernameProblem(username) ? null : await findOperator(deps.db, username);
  const known = Boolean(op);
  const wait = deps.throttle.retryAfter(username, address, known);
  if (wait > 0) {
    sendJson(res, 429, { error: `too many failed logins; try again in ${wait} s` }, { 'retry-after': String(wait) });
    return;
  }
  const ok = await verifyPassword(password, op?.passwordHash ?? (await DECOY_HASH));
  if (!op || !ok || op.disabledAt || !isRole(op.role)) {
    deps.throttle.failed(username, address, known);
    for (const row of deps.failureAudit.record(`${username.slice(0, 60) || '?'} (${address})`, `operator:${username.slice(0, 60)}`)) await writeAudit(deps.db, row);
    sendJson(res, 401, { error: 'wrong username or password' });
    return;
  }
  deps.throttle.succeeded(username, address);
  const { token, session } = await deps.sessions.create({ id: op.id, username: op.username, role: op.role }, address);
  await writeAudit(deps.db, { actor: `${op.username} (${address})`, action: 'auth.login', target: `operator:${op.username}` });
  sendJson(res, 200, { username: op.username, role: op.role, csrfToken: session.csrfToken }, { 'set-cookie': sessionCookies(token, session.csrfToken, Math.floor(deps.sessions.ttlMs / 1000)) });
}

export async function logout(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, session: SessionInfo): Promise<void> {
  await deps.sessions.revoke(session.id);
  await writeAudit(deps.db, { actor: `${session.username} (${deps.addressOf(req)})`, action: 'auth.logout', target: `operator:${session.username}` });
  sendJson(res, 200, { ok: true }, { 'set-cookie': clearedCookies() });
}

export async function operatorsList(deps: AuthDeps, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { operators: await listOperators(deps.db) });
}

export async function operatorsCreate(deps: AuthDeps, req: IncomingMessage, res: ServerResponse, session: SessionInfo): Promise<void> {
  const body = await objectBody(req);
  const fields = [
    { field: 'username', message: usernameProblem(body.username) },
    { field: 'password', message: passwordProblem(body.password) },
    { field: 'role', message: isRole(body.role) ? undefined : 'the role must be viewer, operator or admin' },
  ].filter((f): f is { field: string; message: string } => Boolean(f.message));
  if (fields.length) {
    sendJson(res, 400, { error: fields.map((f) => f.message).join('; '), fields });
    return;
  }
  if (await findOperator(deps.db, body.username as string)) {
    sendJson(res, 409, { error: `an operator named ${String(body.username)} exists` });
    return;
  }
  const created = await createOperator(deps.db, { username: body.username as string, password: body.password as string, role: body.role as 'viewer' }, `${session.username} (${deps.addressOf(req)})`);
  sendJson(res, 200, created);
}
