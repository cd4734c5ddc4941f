// The threads that carry SIP (the main thread, the edge's, D-285) go before the process's
// background threads when the cores are short (issue 17, DECISIONS D-335). Node starts a pool of
// V8 platform threads (the garbage collector's helpers and the optimising compiler) and libuv's
// pool (file system, zlib, DNS) before any of our code runs; under IMDN load on two cores their
// bursts of concurrent marking took most of a core exactly while the main thread's event loop
// stood still waiting for one. Linux lets a process raise the nice value of its own threads
// without privilege: the threads that exist when this runs are lowered, the main thread is not,
// and the threads the PF starts afterwards (the edge's, the database writer's) inherit the main
// thread's priority. Linux only (/proc/self/task); elsewhere nothing changes.
import { readdirSync } from 'node:fs';
import os from 'node:os';

export interface ThreadTable {
  /** the ids of the process's threads now */
  list(): number[];
  /** one thread's nice value; throws when the thread is gone */
  nice(tid: number): number;
  /** sets one thread's nice value; throws when the thread is gone or the system refuses */
  setNice(tid: number, nice: number): void;
}

export interface Lowered {
  /** the threads at the nice value now (already lower ones are left as they are) */
  lowered: number[];
  /** threads the system did not let us change (e.g. a seccomp profile without setpriority), with why */
  refused: { tid: number; why: string }[];
  /** why nothing was done, when nothing was */
  skipped?: string;
}

export const linuxThreads: ThreadTable = {
  list: () => readdirSync('/proc/self/task').map(Number).filter(Number.isInteger),
  nice: (tid) => os.getPriority(tid),
  setNice: (tid, nice) => os.setPriority(tid, nice),
};

/**
 * Gives every thread but the main one at least `nice` (1–19; 0 leaves them): a thread already
 * lower (a PF started under `nice -n 15`) stays there, since going back up needs a privilege.
 * Call it before the PF starts its own worker threads. A thread that ended meanwhile is passed
 * over; one the system refuses to change is reported, and the PF runs on. `threads: null`: a
 * platform without per-thread priorities.
 */
export function lowerBackgroundThreads(nice: number, opts: { mainTid?: number; threads?: ThreadTable | null } = {}): Lowered {
  const mainTid = opts.mainTid ?? process.pid;
  const threads = opts.threads !== undefined ? opts.threads : process.platform === 'linux' ? linuxThreads : null;
  if (nice === 0) return { lowered: [], refused: [], skipped: 'PF_BACKGROUND_NICE=0' };
  if (!threads) return { lowered: [], refused: [], skipped: `threads' priorities are set on Linux only (this is ${process.platform})` };
  const lowered: number[] = [];
  const refused: Lowered['refused'] = [];
  for (const tid of threads.list()) {
    if (tid === mainTid) continue;
    try {
      if (threads.nice(tid) < nice) threads.setNice(tid, nice);
      lowered.push(tid);
    } catch (e) {
      // node's os calls throw ERR_SYSTEM_ERROR with the errno's name in `info.code`
      const code = (e as { info?: { code?: string } }).info?.code ?? (e as NodeJS.ErrnoException).code;
      // ESRCH: the thread ended between the listing and now, nothing to lower
      if (code !== 'ESRCH') refused.push({ tid, why: code ?? String((e as Error).message ?? e) });
    }
  }
  return { lowered, refused };
}
