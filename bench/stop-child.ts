// How the bench stops a process it started: a signal, then SIGKILL if it has not exited in time.
import type { ChildProcess } from 'node:child_process';

/** `signal` to a running `child`, SIGKILL after `graceMs`; resolves once `exited` (the child's exit, awaited from its start) has. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/**
 * Stops each of `running` in order, every one of them even when one fails to stop: a failure is
 * given to `said` and not thrown, so that an error from the work before the clean-up is not hidden.
 */
export async function stopEach(running: Array<{ stop(): Promise<unknown> }>, said: (error: unknown) => void): Promise<void> {
  for (const r of running) await r.stop().catch(said);
}
