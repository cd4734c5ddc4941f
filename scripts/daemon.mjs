// A server process for the cluster and its tests (Redis, Kamailio, a PF): started with its output
// watched for a "ready" line, stopped on request, and killed when this process exits, so a test
// that fails half-way leaves nothing running. Plain JS so that `npm run cluster` needs no build.
import { spawn } from 'node:child_process';
import { freePort } from './free-ports.mjs';

export { freePort };

const live = new Set();
let hooked = false;

function hook() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {}
    }
  });
}

/**
 * @param {{ name: string, cmd: string, args: string[], cwd?: string, env?: Record<string,string>, ready: RegExp, timeoutMs?: number, onLine?: (line: string) => void }} o
 * @returns {Promise<{ name: string, pid: number, output(): string, match: RegExpExecArray, exited: Promise<void>, alive(): boolean, stop(signal?: NodeJS.Signals): Promise<void> }>}
 */
export function startDaemon(o) {
  hook();
  const child = spawn(o.cmd, o.args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const exited = new Promise((r) => child.once('exit', () => {
    live.delete(child);
    r();
  }));
  const stop = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const hard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(hard);
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void stop('SIGKILL');
      reject(new Error(`${o.name} did not start within ${(o.timeoutMs ?? 60_000) / 1000} s:\n${out}`));
    }, o.timeoutMs ?? 60_000);
    const onData = (d) => {
      const text = d.toString();
      out += text;
      if (o.onLine) for (const line of text.split('\n')) if (line) o.onLine(line);
      const m = o.ready.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ name: o.name, pid: child.pid, output: () => out, match: m, exited, alive: () => child.exitCode === null && child.signalCode === null, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${o.name}: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${o.name} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

/** A throwaway Redis on loopback: nothing saved, gone when stopped. */
export async function startRedis({ port } = {}) {
  const p = port ?? (await freePort());
  const d = await startDaemon({
    name: 'redis-server',
    cmd: 'redis-server',
    args: ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    ready: /Ready to accept connections/,
    timeoutMs: 20_000,
  });
  return { ...d, port: p, url: `redis://127.0.0.1:${p}` };
}
