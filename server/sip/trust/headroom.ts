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

export function startLagMeter(windowMs = 100, resolutionMs = 10): LagMeter {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  let last = 0;
  const timer = setInterval(() => {
    // a window with no sample at all was one long block: it lasted at least the window
    last = h.count ? Math.max(0, h.max / 1e6 - resolutionMs) : windowMs;
    h.reset();
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
