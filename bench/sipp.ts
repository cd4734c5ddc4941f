// SIPp for load: a UAC run of a bounded number of calls at a fixed rate, read back from SIPp's own
// statistics (-trace_stat) and response times (-trace_rtt, 1 ms resolution); and background UAS
// peers stopped by their pid. No message traces: at thousands of calls/s they would cost more
// than the traffic. Load UACs and UASes ask for 1 MiB socket buffers (-buff_size), as the PF's edge
// does (D-151): with SIPp's default, on two shared cores, SIPp's own sockets overflowed under the
// overload steps and the lost datagrams came back as retransmissions 500 ms later (D-333).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../e2e/support/ports';
import { removeScratch, scratchDir } from './scratch-dir';
import { stopChild } from './stop-child';
import { summarize } from './stats';
import { udpReceiveBufferDrops } from './udp-drops';

export const BENCH_SCENARIOS = path.resolve('bench/scenarios');

/** SIPp's send and receive buffer for load (D-333) */
const SIPP_BUFFER = ['-buff_size', String(1 << 20)];

export interface LoadRun {
  target: string;
  rate: number;
  calls: number;
  exitCode: number | null;
  successful: number;
  failed: number;
  retransmissions: number;
  /** datagrams the kernel dropped on full receive buffers during the run, any socket on the machine (null: not Linux) */
  kernelUdpDrops: number | null;
  /** completed calls per second, from the spread of the response times' timestamps */
  achievedRate: number;
  rttMs: { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** response time n (rtd n) when the scenario measures more than one */
  rtd2Ms?: { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null };
  ok: boolean;
  errors?: string;
  /** with `counts: true`: messages received per response code (SIPp -trace_counts) */
  received?: Record<string, number>;
}

export interface LoadOptions {
  scenario: string; // file under bench/scenarios
  target: string; // host:port
  /** 0: any free port */
  localPort: number;
  rate: number;
  calls: number;
  csvLines?: string[]; // -inf content (first line SEQUENTIAL/RANDOM)
  limit?: number;
  extra?: string[];
  /** count the responses received by code (-trace_counts) */
  counts?: boolean;
}

function parseStatLast(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  if (lines.length < 2) return {};
  const head = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  return Object.fromEntries(head.map((h, i) => [h.trim(), last[i]?.trim() ?? '']));
}

function readRtt(dir: string): { rtd: number; at: number; ms: number }[] {
  const f = readdirSync(dir).find((x) => x.endsWith('_rtt.csv'));
  if (!f) return [];
  return readFileSync(path.join(dir, f), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(';'))
    .map(([at, ms, rtd]) => ({ at: Number(at), ms: Number(ms), rtd: Number(rtd) }))
    .filter((r) => Number.isFinite(r.ms));
}

/** SIPp's -trace_counts file (last line): responses received, summed by code over the scenario's
 *  <recv> elements (columns `<index>_<code>_Recv`). */
function readCounts(dir: string): Record<string, number> {
  const f = readdirSync(dir).find((x) => x.endsWith('_counts.csv'));
  if (!f) return {};
  const lines = readFileSync(path.join(dir, f), 'utf8').trim().split('\n');
  const head = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const out: Record<string, number> = {};
  head.forEach((h, i) => {
    const m = /^\d+_(\d{3})_Recv$/.exec(h.trim());
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(last[i] ?? 0);
  });
  return out;
}

function waitExit(child: ChildProcess, killAfterMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadRun> {
  const dir = scratchDir('bench-sipp');
  const stat = path.join(dir, 'stat.csv');
  const timeoutSec = Math.ceil(o.calls / o.rate) + 20;
  const a = [
    '-sf', path.join(BENCH_SCENARIOS, o.scenario),
    '-i', '127.0.0.1', '-p', String(o.localPort || (await freePort())), '-t', 'u1', '-nostdin', ...SIPP_BUFFER,
    '-m', String(o.calls), '-r', String(o.rate), '-l', String(o.limit ?? Math.max(100, o.rate * 5)),
    '-trace_stat', '-stf', stat, '-fd', '1',
    '-trace_rtt', '-rtt_freq', '100', // calls are a multiple of 100: SIPp drops a last partial batch
    '-trace_err', '-error_file', path.join(dir, 'errors.log'), '-error_overwrite', 'false',
    '-timeout', `${timeoutSec}s`, '-timeout_error',
    ...(o.counts ? ['-trace_counts'] : []),
    ...(o.extra ?? []),
  ];
  if (o.csvLines) {
    const inf = path.join(dir, 'inject.csv');
    writeFileSync(inf, o.csvLines.join('\n') + '\n');
    a.push('-inf', inf);
  }
  a.push(o.target);
  const drops0 = udpReceiveBufferDrops();
  const child = spawn('sipp', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exitCode = await waitExit(child, (timeoutSec + 10) * 1000);
  const drops1 = udpReceiveBufferDrops();
  const kernelUdpDrops = drops0 !== null && drops1 !== null ? drops1 - drops0 : null;

  const s = parseStatLast(stat);
  const rtts = readRtt(dir);
  const rtd1 = rtts.filter((r) => r.rtd === 1);
  const rtd2 = rtts.filter((r) => r.rtd === 2);
  const successful = Number(s['SuccessfulCall(C)'] ?? 0);
  const failed = Number(s['FailedCall(C)'] ?? 0);
  const ats = rtd1.map((r) => r.at);
  const spanSec = ats.length > 1 ? (Math.max(...ats) - Math.min(...ats)) / 1000 : 0;
  const achievedRate = spanSec > 0 ? Math.round((ats.length - 1) / spanSec) : 0;
  const errFile = readdirSync(dir).find((f) => f.startsWith('errors'));
  const errors = errFile ? readFileSync(path.join(dir, errFile), 'utf8').slice(0, 1500) : '';
  const received = o.counts ? readCounts(dir) : undefined;
  removeScratch(dir);
  const ok = exitCode === 0 && failed === 0 && successful === o.calls && achievedRate >= 0.9 * o.rate;
  return {
    target: o.target,
    rate: o.rate,
    calls: o.calls,
    exitCode,
    successful,
    failed,
    retransmissions: Number(s['Retransmissions(C)'] ?? 0),
    kernelUdpDrops,
    achievedRate,
    rttMs: summarize(rtd1.map((r) => r.ms)),
    ...(rtd2.length ? { rtd2Ms: summarize(rtd2.map((r) => r.ms)) } : {}),
    ok,
    ...(received ? { received } : {}),
    ...(ok ? {} : { errors: (errors || stderr).trim().slice(0, 1500) }),
  };
}

export interface Uas {
  pid: number;
  port: number;
  /** stops it (SIGUSR1, then SIGKILL) and returns how many calls it saw */
  stop(): Promise<{ incoming: number }>;
}

/** A SIPp UAS in the background until stopped. `-deadcall_wait 0`: a retransmitted request whose
 *  200 was lost is answered again (as a new call), as a UA's transaction layer would; by default
 *  SIPp keeps the ended call for 33 s and silently swallows the retransmission. */
export function startUas(scenario: string, port: number, extra: string[] = []): Uas {
  const dir = scratchDir('bench-uas');
  const stat = path.join(dir, 'stat.csv');
  const child = spawn(
    'sipp',
    ['-sf', path.join(BENCH_SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', ...SIPP_BUFFER, '-trace_stat', '-stf', stat, '-fd', '1', '-deadcall_wait', '0', ...extra],
    { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid ?? -1,
    port,
    async stop() {
      await stopChild(child, exited, 3000, 'SIGUSR1');
      const incoming = Number(parseStatLast(stat)['IncomingCall(C)'] ?? 0);
      removeScratch(dir);
      return { incoming };
    },
  };
}

/** Runs a short UAC scenario to completion (registrations and probes); returns SIPp's exit code. */
export async function runOnce(scenario: string, target: string, localPort: number, opts: { csvLines?: string[]; calls: number; extra?: string[]; timeoutSec?: number }): Promise<{ code: number | null; errors: string }> {
  const dir = scratchDir('bench-once');
  const a = ['-sf', path.join(BENCH_SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(localPort), '-t', 'u1', '-nostdin', '-m', String(opts.calls), '-r', '50', '-trace_err', '-error_file', path.join(dir, 'errors.log'), '-timeout', `${opts.timeoutSec ?? 15}s`, '-timeout_error', ...(opts.extra ?? [])];
  if (opts.csvLines) {
    writeFileSync(path.join(dir, 'inject.csv'), opts.csvLines.join('\n') + '\n');
    a.push('-inf', path.join(dir, 'inject.csv'));
  }
  a.push(target);
  const child = spawn('sipp', a, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  const code = await waitExit(child, ((opts.timeoutSec ?? 15) + 10) * 1000);
  const errFile = readdirSync(dir).find((f) => f.startsWith('errors'));
  const errors = errFile ? readFileSync(path.join(dir, errFile), 'utf8').slice(0, 1500) : '';
  removeScratch(dir);
  return { code, errors };
}
