// Runs SIPp (Debian's sip-tester) as a test peer: UAC runs to completion, UAS runs in the
// background until stopped. Each run keeps its message trace so tests can count what arrived.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCENARIOS = path.resolve('e2e/sipp/scenarios');

export interface SippRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** every message SIPp logged, sent and received */
  trace: string;
}

export interface SippOptions {
  scenario: string; // file name under e2e/sipp/scenarios, or an absolute path
  target?: string; // host:port of the remote side (UAC)
  localPort: number;
  service?: string; // -s: the user part of the Request-URI
  calls?: number; // -m
  rate?: number; // -r calls per second
  limit?: number; // -l simultaneous calls
  inf?: string; // injection CSV under scenarios/
  keys?: Record<string, string>; // -key name value
  timeoutSec?: number; // -timeout: SIPp stops itself after this
  transport?: 'u1' | 't1' | 'un';
  extra?: string[];
}

function args(o: SippOptions, dir: string): string[] {
  const a = [
    '-sf', path.isAbsolute(o.scenario) ? o.scenario : path.join(SCENARIOS, o.scenario),
    '-i', '127.0.0.1', '-p', String(o.localPort),
    '-t', o.transport ?? 'u1',
    '-nostdin', '-trace_msg', '-message_file', path.join(dir, 'messages.log'),
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    '-timeout', `${o.timeoutSec ?? 30}s`, '-timeout_error',
  ];
  if (o.service) a.push('-s', o.service);
  if (o.calls !== undefined) a.push('-m', String(o.calls));
  if (o.rate !== undefined) a.push('-r', String(o.rate));
  if (o.limit !== undefined) a.push('-l', String(o.limit));
  if (o.inf) a.push('-inf', path.join(SCENARIOS, o.inf));
  for (const [k, v] of Object.entries(o.keys ?? {})) a.push('-key', k, v);
  a.push(...(o.extra ?? []));
  if (o.target) a.push(o.target);
  return a;
}

function collect(child: ChildProcess, dir: string): Promise<SippRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      const log = path.join(dir, 'messages.log');
      const errs = readdirSync(dir).filter((f) => f.startsWith('errors')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
      resolve({ code, stdout, stderr: stderr + errs, trace: existsSync(log) ? readFileSync(log, 'utf8') : '' });
    });
  });
}

export function runSipp(o: SippOptions): Promise<SippRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const child = spawn('sipp', args(o, dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, dir);
}

export interface SippBackground {
  stop(): Promise<SippRun>;
  done: Promise<SippRun>;
}

export function startSipp(o: SippOptions): SippBackground {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const child = spawn('sipp', args(o, dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = collect(child, dir);
  return {
    done,
    async stop() {
      if (child.exitCode === null) child.kill('SIGUSR1'); // SIPp's graceful quit
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      const r = await done;
      clearTimeout(t);
      return r;
    },
  };
}

/** How many requests of this method SIPp received, counted from its message trace. */
export function receivedRequests(trace: string, method: string): number {
  const re = new RegExp(`message received[^\\n]*\\n+${method} `, 'g');
  return (trace.match(re) ?? []).length;
}
