// Samples a process's CPU time and memory from /proc (Linux): CPU% over an interval and the
// resident size (VmRSS now, VmHWM peak).
import { readFileSync } from 'node:fs';

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

export interface ProcWindow {
  /** CPU use over the window, 100 = one core busy */
  cpuPct: number;
  rssMaxMiB: number;
  rssEndMiB: number;
}

/** Samples every `everyMs` until stopped; reports CPU% over the window and the largest RSS seen. */
export function watchProc(pid: number, everyMs = 250): { stop(): ProcWindow } {
  const first = sampleProc(pid);
  let last = first;
  let rssMax = first?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const s = sampleProc(pid);
    if (!s) return;
    last = s;
    rssMax = Math.max(rssMax, s.rssMiB);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const end = sampleProc(pid) ?? last;
      if (end) rssMax = Math.max(rssMax, end.rssMiB);
      const secs = first && end ? (end.at - first.at) / 1000 : 0;
      const cpuPct = first && end && secs > 0 ? ((end.cpuSec - first.cpuSec) / secs) * 100 : 0;
      return { cpuPct: round(cpuPct, 1), rssMaxMiB: round(rssMax, 1), rssEndMiB: round(end?.rssMiB ?? 0, 1) };
    },
  };
}

export function round(n: number, digits = 1): number {
  const m = 10 ** digits;
  return Math.round(n * m) / m;
}
