// Types for scripts/heap-limit.mjs (plain JS so that the start script runs without a build step).
export const DEFAULT_HEAP_MB: number;
export const MIN_HEAP_MB: number;
/** node's arguments for PF_HEAP_MB in `env`; throws a sentence naming the variable when it is not a whole number of MiB ≥ 256 */
export function heapLimitArgs(env: Record<string, string | undefined>): string[];
