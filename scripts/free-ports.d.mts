// Types for scripts/free-ports.mjs (plain JS so that it runs without a build step).
/** The first of `count` consecutive loopback ports, free for UDP and TCP, held by this process until it exits. */
export function freePorts(count: number): Promise<number>;
/** One such port. */
export function freePort(): Promise<number>;
