// PF_HEAP_MB: the V8 heap limit of the PF's process, in MiB (node's --max-old-space-size), which
// applies to each of its isolates (the main thread, the edge thread, the SQLite writer). It is
// read here, not in server/config.ts, because it must be given to node before the process starts.
//
// Why the PF sets one (DECISIONS D-327): V8 grows an isolate's heap to a multiple of what is live
// after each full collection, and that multiple is 4 when the limit is 2 GiB or more (node's
// default on any machine with 8 GiB or more) but about 1.8 at 1.5 GiB. Under sustained load the PF keeps
// 50 MiB live on its main thread, and with the default limit it let garbage grow its heaps to
// 230 MiB each before collecting: RSS 400 → 700–860 MiB in 90 s at 1,000 IMDNs/s.

/** the default: room for the bounded caches at their default sizes (server/memory-budget.ts) and some */
export const DEFAULT_HEAP_MB = 1536;
/** below this the console alone (Next.js) runs short */
export const MIN_HEAP_MB = 256;

/** node's arguments for PF_HEAP_MB in `env`; throws a sentence naming the variable when it is not a whole number of MiB ≥ 256 */
export function heapLimitArgs(env) {
  const raw = env.PF_HEAP_MB;
  if (raw === undefined || raw.trim() === '') return [`--max-old-space-size=${DEFAULT_HEAP_MB}`];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < MIN_HEAP_MB) throw new Error(`PF_HEAP_MB must be a whole number of MiB, at least ${MIN_HEAP_MB}, got "${raw}"`);
  return [`--max-old-space-size=${n}`];
}
