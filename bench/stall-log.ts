// BENCH_PF_STALLS=<ms>: the PF child writes one line to stderr for each gap of its main thread's
// event loop longer than that, with when it ended (ms since the process started, as --trace-gc
// prints) and how much CPU the main thread used meanwhile: a gap with little CPU is the thread
// waiting (a lock, the OS scheduler), one with as much CPU as wall time is work (a burst, GC).
// Every 5 s it also writes the main thread's memory (MiB): the process's RSS, and the main
// isolate's heap used and reserved, external and ArrayBuffer memory; RSS less the main heap is
// the worker threads' heaps, native memory (SQLite, buffers) and the allocator's slack.
import { readFileSync } from 'node:fs';

const TICK_MS = 5;

function mainThreadCpuMs(): number {
  const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export function logStalls(thresholdMs: number, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const gap = now - last - TICK_MS;
    if (gap > thresholdMs) write(`STALL at=${Math.round(now)} gap=${Math.round(gap)} mainCpu=${cpu - lastCpu}`);
    last = now;
    lastCpu = cpu;
  }, TICK_MS);
  timer.unref();
  const mib = (n: number) => Math.round(n / 1048576);
  const mem = setInterval(() => {
    const m = process.memoryUsage();
    write(`MEM at=${Math.round(performance.now())} rss=${mib(m.rss)} heapUsed=${mib(m.heapUsed)} heapTotal=${mib(m.heapTotal)} external=${mib(m.external)} arrayBuffers=${mib(m.arrayBuffers)}`);
  }, 5000);
  mem.unref();
  return () => {
    clearInterval(timer);
    clearInterval(mem);
  };
}
