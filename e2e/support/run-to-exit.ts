// Runs a node process to its end, or kills it after `hangMs`: for tests whose point is that a
// process ends (a failed start, a failed set-up). The bound is on a hang, not on speed.
import { spawn } from 'node:child_process';

export async function runToExit(args: string[], opts: { hangMs: number; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null | 'hung'; out: string }> {
  const child = spawn(process.execPath, args, { ...(opts.env ? { env: opts.env } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null | 'hung'>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, opts.hangMs);
    child.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  return { code, out };
}
