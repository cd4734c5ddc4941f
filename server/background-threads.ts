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
  /** sets one thread's nice value; throws when the thread is gone */
  setNice(tid: number, nice: number): void;
}

export interface Lowered {
  /** the threads given the nice value */
  lowered: number[];
  /** why nothing was done, when nothing was */
  skipped?: string;
}

export const linuxThreads: ThreadTable = {
  list: () => readdirSync('/proc/self/task').map(Number).filter(Number.isInteger),
  setNice: (tid, nice) => os.setPriority(tid, nice),
};

/**
 * Gives every thread but the main one `nice` (1–19; 0 leaves them). Call it before the PF starts
 * its own worker threads. A thread that ended meanwhile is passed over. `threads: null`: a
 * platform without per-thread priorities.
 */
export function lowerBackgroundThreads(nice: number, opts: { mainTid?: number; threads?: ThreadTable | null } = {}): Lowered {
  const mainTid = opts.mainTid ?? process.pid;
  const threads = opts.threads !== undefined ? opts.threads : process.platform === 'linux' ? linuxThreads : null;
  if (nice === 0) return { lowered: [], skipped: 'PF_BACKGROUND_NICE=0' };
  if (!threads) return { lowered: [], skipped: `threads' priorities are set on Linux only (this is ${process.platform})` };
  const lowered: number[] = [];
  for (const tid of threads.list()) {
    if (tid === mainTid) continue;
    try {
      threads.setNice(tid, nice);
      lowered.push(tid);
    } catch {
      // ended between the listing and now: nothing to lower
    }
  }
  return { lowered };
}
