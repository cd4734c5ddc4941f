// The IMDN part's reference relays beside Kamailio (issue 17), each a child process of its own so
// /proc gives its CPU as it gives the PF's: the Node.js floor (bench/node-relay.mjs) and the
// design card's stack with no PF in it (bench/srf-relay-process.ts: the embedded edge, srf), and the
// edge's SIP stack alone (bench/ua-relay-process.ts: no control protocol, no srf).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { pfEnv, pfNodeArgs } from '../scripts/pf-node-args.mjs';
import { stopChild } from './stop-child';

export interface Relay {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** the child, once it printed `ready` (a line matching `ready`); its stderr kept for the error */
async function started(child: ChildProcess, what: string, ready: RegExp, port: number): Promise<Relay> {
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start within 30 s:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      keep(d);
      if (ready.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited at start (code ${code}):\n${out}`));
    });
  }).catch(async (e) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  return {
    pid: child.pid ?? -1,
    port,
    stop: () => stopChild(child, exited, 5000),
  };
}

/** bench/node-relay.mjs on a free port, relaying to `next` (host:port) */
export async function startNodeRelay(next: string): Promise<Relay> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve('bench/node-relay.mjs'), String(port), next], { stdio: ['ignore', 'pipe', 'pipe'] });
  return started(child, 'the Node.js relay', /^ready$/m, port);
}

/** a TypeScript relay of the bench's on a free port, relaying to `next`, with the node arguments and environment `npm start` gives the PF */
async function startTsRelay(file: string, what: string, next: string, repeats: 'relay' | 'answer'): Promise<Relay> {
  const port = await freePort();
  const child = spawn(process.execPath, [...pfNodeArgs(process.env), '--import', 'tsx', file], {
    env: { ...process.env, ...pfEnv(process.env), NODE_ENV: 'production', LOG_LEVEL: 'warn', SIP_PORT: String(port), SIP_TRANSPORTS: 'udp', BENCH_RELAY_NEXT: next, BENCH_RELAY_REPEATS: repeats },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, what, /BENCH_READY/, port);
}

/** bench/srf-relay-process.ts (the edge and srf); `repeats: 'answer'` answers a repeated notification itself, as the PF does */
export function startSrfRelay(next: string, repeats: 'relay' | 'answer' = 'relay'): Promise<Relay> {
  return startTsRelay('bench/srf-relay-process.ts', 'the srf relay', next, repeats);
}

/** bench/ua-relay-process.ts (the edge's SIP stack alone); `repeats` as for startSrfRelay */
export function startUaRelay(next: string, repeats: 'relay' | 'answer' = 'relay'): Promise<Relay> {
  return startTsRelay('bench/ua-relay-process.ts', 'the edge UA relay', next, repeats);
}
