// What the PF's bounded in-memory tables may grow to, against the V8 heap limit its process runs
// under (PF_HEAP_MB, scripts/heap-limit.mjs, D-327). A full heap ends the process, possibly hours
// after the start, when the caches fill: the PF says at its start whether the limit leaves room.

/**
 * bytes an IMDN cache entry takes (docs/BENCHMARKS.md, IMDN cache memory): 171–181 B of RSS since
 * an entry's fields moved to typed arrays (about 120 of them on V8's heap); the largest measured
 */
export const IMDN_CACHE_ENTRY_BYTES = 181;
/** bytes a MessageIndex entry takes (D-320) */
export const MESSAGE_INDEX_ENTRY_BYTES = 400;
/** the rest of the main thread's heap: its working set under load (about 50 MiB live at 1,000 IMDNs/s), the console, and room for V8 to collect */
export const HEAP_RESERVE_MIB = 512;

const MIB = 1024 * 1024;

export interface HeapBudget {
  /** what the two IMDN caches (RX, TX) and the two MessageIndexes (sent, received) hold when full, MiB */
  tablesMib: number;
  /** the heap the PF should have: the tables and HEAP_RESERVE_MIB */
  neededMib: number;
  /** the heap limit it has (V8's, the young generation included), MiB */
  limitMib: number;
  /** the start's log line */
  line: string;
  /** the limit leaves less than neededMib: the line is a warning */
  short: boolean;
}

export function heapBudget(heapLimitBytes: number, bounds: { imdnCacheMax: number; messageIndexMax: number }): HeapBudget {
  const tablesMib = Math.ceil((2 * bounds.imdnCacheMax * IMDN_CACHE_ENTRY_BYTES + 2 * bounds.messageIndexMax * MESSAGE_INDEX_ENTRY_BYTES) / MIB);
  const neededMib = tablesMib + HEAP_RESERVE_MIB;
  const limitMib = Math.floor(heapLimitBytes / MIB);
  const short = limitMib < neededMib;
  const tables = `the IMDN caches and message indexes hold up to ${tablesMib} MiB when full (PF_IMDN_CACHE_MAX, PF_MESSAGE_INDEX_MAX)`;
  const line = short
    ? `heap limit ${limitMib} MiB, and ${tables}: the process would stop when they fill; give PF_HEAP_MB at least ${neededMib} or lower those bounds`
    : `heap limit ${limitMib} MiB (PF_HEAP_MB); ${tables}`;
  return { tablesMib, neededMib, limitMib, line, short };
}
