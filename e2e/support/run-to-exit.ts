// Runs a node process to its end, or kills it after `hangMs`: for tests whose point is that a
// process ends (a failed start, a failed set-up). The bound is on a hang, not on speed. The
// process leads a group of its own, and a hang kills the whole group: a test runner's files run
// in processes of their own, which would outlive their runner.
import { spawn } from 'node:child_process';

export async function runToExit(args: string[], opts: { hangMs: number; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null | 'hung'; out: string }> {
  const child = spawn(process.execPath, args, { ...(opts.env ? { env: opts.env } : {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null | 'hung'>((resolve) => {
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      resolve('hung');
    }, opts.hangMs);
    child.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  return { code, out };
}
