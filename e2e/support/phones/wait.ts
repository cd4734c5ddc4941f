// Bounded polling for the phone tests: wait until a condition holds or fail with what was awaited.

/**
 * How long a phone test waits for a phone to do something. A bound, not a speed requirement: a
 * stock phone started while the whole suite loads both cores of a CI machine has been seen to take
 * more than 10 s to register (baresip), so the bound is generous.
 */
export const PHONE_WAIT_MS = 30_000;
export async function waitFor<T>(
  /** what is awaited; a function is asked at the timeout, so it can say how things stand then */
  what: string | (() => string),
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = PHONE_WAIT_MS, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
