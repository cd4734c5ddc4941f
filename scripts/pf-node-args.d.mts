// Types for scripts/pf-node-args.mjs (plain JS so that the start script runs without a build step).
export const GC_ARGS: string[];
/** node's arguments for the PF's process; throws heapLimitArgs's sentence for a bad PF_HEAP_MB */
export function pfNodeArgs(env: Record<string, string | undefined>): string[];
