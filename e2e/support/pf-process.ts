// Runs the PF (no console) in a child process, so a test can SIGKILL it and start it again on the
// same database.
import { spawn, type ChildProcess } from 'node:child_process';

export interface PfProcess {
  child: ChildProcess;
  sipPort: number;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startPfProcess(env: Record<string, string>): Promise<PfProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/support/pf-main.ts'], {
    // unknown-source MESSAGEs are refused under PF_TRUST=peers (D-134); the fault suites send them
    env: { ...process.env, PF_TRUST: 'open', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PF did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          sipPort: Number(m[1]),
          output: () => out,
          async kill(signal = 'SIGKILL') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PF exited (${code}) before it was ready:\n${out}`));
    });
  });
}
