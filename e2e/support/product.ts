// Runs the whole product (PF + console) as `npm start` would, on free ports with a throwaway
// database, for browser tests. The console needs a login: the product starts with a random
// PF_ADMIN_PASSWORD, signs in as that admin, and hands tests an authenticated fetch and a way to
// put the session into a browser context.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/** the slice of Playwright's BrowserContext that signIn needs */
export interface CookieJar {
  addCookies(cookies: Array<{ name: string; value: string; url: string; httpOnly?: boolean; secure?: boolean; sameSite?: 'Strict' | 'Lax' | 'None' }>): Promise<void>;
}

export interface ConsoleLogin {
  username: string;
  role: string;
  csrfToken: string;
  /** the Cookie header value of the session */
  cookie: string;
  /** fetch with the session cookie and the CSRF header; takes a full URL or a path */
  fetch(input: string, init?: RequestInit): Promise<Response>;
  /** puts the session cookies into a browser context: `await product.login.signIn(context)` */
  signIn(context: CookieJar): Promise<void>;
}

/** Signs in to the console at httpUrl; throws with the server's answer when it refuses. */
export async function consoleLogin(httpUrl: string, username: string, password: string): Promise<ConsoleLogin> {
  const r = await fetch(`${httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  // a product whose composition root does not mount the security gate yet: nothing to sign in to
  if (r.status === 404) return { username, role: 'none', csrfToken: '', cookie: '', fetch: (i, init) => fetch(i.startsWith('/') ? `${httpUrl}${i}` : i, init), signIn: async () => {} };
  if (!r.ok) throw new Error(`login as ${username} failed: ${r.status} ${await r.text()}`);
  const me = (await r.json()) as { username: string; role: string; csrfToken: string };
  const pairs = r.headers.getSetCookie().map((c) => c.split(';')[0]);
  const cookie = pairs.join('; ');
  return {
    ...me,
    cookie,
    fetch(input, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      headers.set('x-csrf-token', me.csrfToken);
      return fetch(input.startsWith('/') ? `${httpUrl}${input}` : input, { ...init, headers });
    },
    async signIn(context) {
      await context.addCookies(pairs.map((p) => {
        const i = p.indexOf('=');
        return { name: p.slice(0, i), value: p.slice(i + 1), url: httpUrl, httpOnly: p.startsWith('pf_session='), secure: true, sameSite: 'Strict' as const };
      }));
    },
  };
}

export interface Product {
  httpUrl: string;
  /** the env admin (PF_ADMIN_USER / PF_ADMIN_PASSWORD the product was started with) */
  admin: { username: string; password: string };
  /** signed in as the admin: `product.login.fetch('/api/...')`, `product.login.signIn(context)` */
  login: ConsoleLogin;
  sipTarget: string;
  sipPort: number;
  databaseUrl: string;
  logs(): string;
  stop(): Promise<void>;
}

let built = false;

/** The production console must exist before the product starts (a no-op when the build is current). */
function ensureConsoleBuilt(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ['scripts/start.mjs', '--build-only'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console build failed');
  built = true;
}

export async function startProduct(env: Record<string, string> = {}): Promise<Product> {
  ensureConsoleBuilt();
  // A free port is found free over TCP and then bound over UDP and TCP by the product: another test
  // can take it in between, so a start that fails only with EADDRINUSE is tried again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startProductOnce(env);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof PortTaken)) throw e;
    }
  }
}

class PortTaken extends Error {}

async function startProductOnce(env: Record<string, string>): Promise<Product> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-product-'));
  const httpPort = await freePort();
  const sipPort = await freePort();
  const databaseUrl = `file:${path.join(dir, 'pf.db')}`;
  const admin = { username: env.PF_ADMIN_USER ?? 'admin', password: env.PF_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url') };
  let out = '';
  // PRODUCT_ENTRY: another composition root (e.g. one with a hook not yet wired into server/index.ts)
  const entry = process.env.PRODUCT_ENTRY || 'server/index.ts';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HTTP_PORT: String(httpPort), SIP_PORT: String(sipPort), DATABASE_URL: databaseUrl,
      // the console suites send MESSAGEs from SIPp no topology knows (D-134); topology.spec sets peers
      PF_ADMIN_USER: admin.username, PF_ADMIN_PASSWORD: admin.password, PF_TRUST: 'open',
      // A product just started compiles its first pages and requests on the PF's event loop; on a
      // starved CI machine that lag passed the 300 ms overload trigger, and a spec's SIPp burst got
      // 503s. The specs are about the console, not overload control (e2e/faults tests that): the lag
      // trigger is set above what a busy test machine shows, as startTestPf sets it (D-314).
      PF_OVERLOAD_MAX_LAG_MS: '5000', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const why = `the product exited at start:\n${out}`;
      throw /EADDRINUSE/.test(out) ? new PortTaken(why) : new Error(why);
    }
    try {
      const r = await fetch(`${httpUrl}/api/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the product did not answer within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let login: ConsoleLogin;
  try {
    login = await consoleLogin(httpUrl, admin.username, admin.password);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    httpUrl,
    admin,
    login,
    sipTarget: `127.0.0.1:${sipPort}`,
    sipPort,
    databaseUrl,
    logs: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
