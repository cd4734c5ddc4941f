// Test harness: free ports, SIPp runs, and drachtio-srf apps connected to an edge.
// Used by server/edge/*.sip.test.ts only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import SrfModule from 'drachtio-srf';

export const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** A port free for both UDP and TCP on 127.0.0.1 right now (SIPp needs an explicit one). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (ok) return port;
  }
  throw new Error('no free port');
}

export interface SippResult { code: number; stdout: string; stderr: string; ms: number }

export interface SippRun { done: Promise<SippResult>; kill(): void }

/** Runs SIPp in the background with a hard timeout (the process is killed when it expires). */
export function sipp(args: string[], timeoutMs = 30000): SippRun {
  const started = Date.now();
  const child = spawn('sipp', [...args, '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; if (stdout.length > 200000) stdout = stdout.slice(-100000); });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
  const done = new Promise<SippResult>((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }); });
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

export function scenario(name: string): string {
  return path.join(SCENARIOS, name);
}

// --- srf typing: the bundled typings are incomplete (no srf.message, wrong request signature).

export interface SrfMsg {
  method: string;
  uri: string;
  body: string;
  status: number;
  stackTxnId: string;
  stackDialogId: string;
  source: string;
  source_address: string;
  source_port: number;
  protocol: string;
  receivedOn?: string;
  get(h: string): string;
  has(h: string): boolean;
  getParsedHeader(h: string): any;
  on(ev: string, fn: (...a: any[]) => void): void;
  cancel(opts?: unknown, cb?: (err: unknown, req: unknown) => void): void;
  msg: { raw?: string };
}
export interface SrfRes {
  send(status: number, reason?: any, opts?: any, cb?: any): void;
  status: number;
  body: string;
  get(h: string): string;
  has(h: string): boolean;
}
export type Handler = (req: SrfMsg, res: SrfRes) => void;

export interface SrfApp {
  raw: any;
  connect(opts: { host: string; port: number; secret: string }): void;
  on(ev: string, fn: (...a: any[]) => void): void;
  use(fn: (req: SrfMsg, res: SrfRes, next: () => void) => void): void;
  invite(h: Handler): void;
  message(h: Handler): void;
  options(h: Handler): void;
  register(h: Handler): void;
  subscribe(h: Handler): void;
  bye(h: Handler): void;
  notify(h: Handler): void;
  request(uri: string, opts: Record<string, unknown>, cb: (err: Error | null, req: SrfMsg) => void): void;
  createUAS(req: SrfMsg, res: SrfRes, opts: Record<string, unknown>): Promise<any>;
  createUAC(uri: string, opts: Record<string, unknown>, progress?: Record<string, unknown>): Promise<any>;
  createB2BUA(req: SrfMsg, res: SrfRes, uri: string, opts: Record<string, unknown>): Promise<{ uas: any; uac: any }>;
  disconnect(): void;
}

const Srf = SrfModule as unknown as new () => any;

/** Connects an unchanged drachtio-srf app to the edge; resolves when authenticated. */
export async function connectSrf(control: { host: string; port: number }, secret: string, setup?: (srf: SrfApp) => void): Promise<SrfApp> {
  const srf = new Srf();
  const app = srf as SrfApp;
  setup?.(app);
  const connected = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('srf connect timeout')), 5000);
    srf.on('connect', (err: Error | null) => { clearTimeout(t); if (err) reject(err); else resolve(); });
  });
  srf.on('error', () => {});
  srf.connect({ host: control.host, port: control.port, secret });
  await connected;
  // route|<verb> frames go out right after authenticate; give them a moment to be acknowledged.
  await new Promise((r) => setTimeout(r, 50));
  return app;
}

export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/**
 * Resolves once something (a SIPp UAS) listens on `port`, or false after timeoutMs. Reads the
 * kernel's socket tables instead of probing with a bind, which could steal the port from SIPp.
 */
export async function waitForListener(port: number, proto: 'udp' | 'tcp' = 'udp', timeoutMs = 5000): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    let table = '';
    try { table = readFileSync(`/proc/net/${proto}`, 'utf8'); } catch {
      await new Promise((r) => setTimeout(r, 500)); // no /proc: fall back to a grace period
      return true;
    }
    const found = table.split('\n').some((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${hex}`) && (proto === 'udp' || cols[3] === '0A');
    });
    if (found) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
