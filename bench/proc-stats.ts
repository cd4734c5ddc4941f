// Samples a process's CPU time and memory from /proc (Linux): CPU% over an interval and the
// resident size (VmRSS now, VmHWM peak).
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86_64

export interface ProcSample {
  at: number;
  cpuSec: number;
  rssMiB: number;
  hwmMiB: number;
}

export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" of the command name: state is field 3, utime 14, stime 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSec = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { at: Date.now(), cpuSec, rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return undefined; // the process is gone
  }
}

/** pid and its direct children (Kamailio's workers), from /proc/<n>/stat ppid */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export interface ProcWindow {
  /** CPU use over the window, 100 = one core busy */
  cpuPct: number;
  /** CPU seconds used in the window (all processes watched) */
  cpuSec: number;
  rssMaxMiB: number;
  rssEndMiB: number;
}

/** Samples every `everyMs` until stopped; reports CPU% over the window and the largest RSS seen
 *  (summed over the processes given, e.g. a process tree). */
export function watchProc(pids: number | number[], everyMs = 250): { stop(): ProcWindow } {
  const list = Array.isArray(pids) ? pids : [pids];
  const sum = () => {
    const ss = list.map(sampleProc).filter((x): x is ProcSample => Boolean(x));
    return ss.length ? { at: Date.now(), cpuSec: ss.reduce((n, x) => n + x.cpuSec, 0), rssMiB: ss.reduce((n, x) => n + x.rssMiB, 0) } : undefined;
  };
  const first = sum();
  let last = first;
  let rssMax = first?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const s = sum();
    if (!s) return;
    last = s;
    rssMax = Math.max(rssMax, s.rssMiB);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const end = sum() ?? last;
      if (end) rssMax = Math.max(rssMax, end.rssMiB);
      const secs = first && end ? (end.at - first.at) / 1000 : 0;
      const cpuSec = first && end ? end.cpuSec - first.cpuSec : 0;
      const cpuPct = secs > 0 ? (cpuSec / secs) * 100 : 0;
      return { cpuPct: round(cpuPct, 1), cpuSec: round(cpuSec, 2), rssMaxMiB: round(rssMax, 1), rssEndMiB: round(end?.rssMiB ?? 0, 1) };
    },
  };
}

export function round(n: number, digits = 1): number {
  const m = 10 ** digits;
  return Math.round(n * m) / m;
}

/**
 * CPU seconds used so far by the threads of a process, by thread name (/proc/<pid>/task/<tid>/comm);
 * the main thread is "main" (Node names neither libuv's pool nor V8's helpers: they are "node").
 */
export function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const name = Number(tid) === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** What each thread name used between two threadCpu readings, in CPU seconds (threads that used none left out). */
export function threadCpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = round(v - (before[k] ?? 0), 2);
    if (d > 0) out[k] = d;
  }
  return out;
}
