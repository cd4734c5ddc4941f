// Starts bench/pf-process.ts as a child process on free ports with a throwaway SQLite database
// (or a given one) and stops it, also when the bench fails. The throwaway database goes with the
// process at stop() (bench/scratch-dir.ts) unless the caller reads it afterwards (`keepData`,
// then `removeData()`).
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { pfEnv, pfNodeArgs } from '../scripts/pf-node-args.mjs';
import { removeScratch, scratchDir } from './scratch-dir';
import { stopChild } from './stop-child';

export interface PfChild {
  pid: number;
  sipPort: number;
  apiPort?: number;
  databaseUrl: string;
  logs(): string;
  /** stops the process; removes the throwaway database unless started with `keepData` */
  stop(): Promise<void>;
  /** removes the throwaway database (after stop(), with `keepData`) */
  removeData(): void;
}

export async function startPfChild(opts: { env?: Record<string, string>; nodeArgs?: string[]; databaseUrl?: string; keepData?: boolean } = {}): Promise<PfChild> {
  // a given database belongs to the caller; only the throwaway one is made (and removed) here
  const dir = opts.databaseUrl ? undefined : scratchDir('bench-pf');
  const databaseUrl = opts.databaseUrl ?? `file:${path.join(dir!, 'pf.db')}`;
  const sipPort = await freePort();
  // BENCH_PF_NODE_ARGS: node flags for the PF under test (e.g. V8 GC flags), for A/B runs
  const extra = (process.env.BENCH_PF_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // the node arguments `npm start` gives the PF (PF_HEAP_MB, D-327; GC flags, D-330); a flag in
  // BENCH_PF_NODE_ARGS comes later and wins (e.g. --allocation-site-pretenuring for the A/B)
  const child = spawn(process.execPath, [...pfNodeArgs({ ...process.env, ...opts.env }), ...(opts.nodeArgs ?? []), ...extra, '--import', 'tsx', 'bench/pf-process.ts'], {
    env: {
      ...process.env,
      ...pfEnv({ ...process.env, ...opts.env }),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SIP_PORT: String(sipPort),
      SIP_TRANSPORTS: 'udp',
      HTTP_PORT: '0',
      DATABASE_URL: databaseUrl,
      CHECKPOINT_DISABLE: '1',
      // the load comes from SIPp sources no topology knows, and may queue a lot per user (D-134)
      PF_TRUST: 'open',
      PF_DEFERRED_MAX_PER_USER: '10000000',
      // one SIPp source carries all the load: the per-source limit (D-152) is not what is measured
      PF_SIP_RATE: '0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // BENCH_PF_LOG: a file that gets all the PF's output too (e.g. with --trace-gc in BENCH_PF_NODE_ARGS)
  const logFile = process.env.BENCH_PF_LOG;
  const append = (d: Buffer) => {
    if (logFile) appendFileSync(logFile, d);
    out = (out + d.toString()).slice(-20_000);
  };
  child.stderr?.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await new Promise<{ sipPort: number; apiPort?: number; niceRefused?: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the PF did not start within 60 s:\n${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      append(d);
      const m = /BENCH_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(JSON.parse(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the PF exited at start (code ${code}):\n${out}`));
    });
  }).catch(async (e) => {
    child.kill('SIGKILL');
    await exited;
    removeScratch(dir);
    throw e;
  });
  // the system refused PF_BACKGROUND_NICE (e.g. seccomp): these figures are without D-335, and say so
  if (ready.niceRefused) process.stderr.write(`  bench PF: background threads not lowered (${ready.niceRefused}): measured without D-335\n`);
  return {
    pid: child.pid ?? -1,
    sipPort: ready.sipPort,
    apiPort: ready.apiPort,
    databaseUrl,
    logs: () => out,
    async stop() {
      await stopChild(child, exited, 15_000);
      if (!opts.keepData) removeScratch(dir);
    },
    removeData: () => removeScratch(dir),
  };
}
