// Types for scripts/pf-node-args.mjs (plain JS so that the start script runs without a build step).
export const GC_ARGS: string[];
/** node's arguments for the PF's process; throws heapLimitArgs's sentence for a bad PF_HEAP_MB */
export function pfNodeArgs(env: Record<string, string | undefined>): string[];
/** glibc's arena count the PF's process is started with unless its environment gives one (D-343) */
export const MALLOC_ARENAS: string;
/** what the PF's process gets in its environment besides `env`: MALLOC_ARENA_MAX unless `env` sets it */
export function pfEnv(env: Record<string, string | undefined>): Record<string, string>;
