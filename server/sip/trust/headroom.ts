// Measures the PF's headroom for the overload verdict (overload.ts, D-150): the event loop's delay
// (perf_hooks.monitorEventLoopDelay, which times a native timer of `resolutionMs`), read as the
// largest delay in each `windowMs`, above the timer's own period. A loop that cannot keep its
// timers cannot keep up with its sockets either.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LagMeter {
  /** the largest event-loop delay in the last complete window (ms) */
  lagMs(): number;
  stop(): void;
}

/**
 * `publish`: where the lag is also written, in µs at index 0, for another thread to read with
 * Atomics.load (the edge on its own thread admits requests by this thread's lag, D-285).
 */
export function startLagMeter(windowMs = 100, resolutionMs = 10, publish?: Int32Array): LagMeter {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  let last = 0;
  const timer = setInterval(() => {
    // a window with no sample at all was one long block: it lasted at least the window
    last = h.count ? Math.max(0, h.max / 1e6 - resolutionMs) : windowMs;
    h.reset();
    if (publish) Atomics.store(publish, 0, Math.min(2 ** 31 - 1, Math.round(last * 1000)));
  }, windowMs);
  timer.unref();
  return {
    lagMs: () => last,
    stop() {
      clearInterval(timer);
      h.disable();
    },
  };
}
