// The lag meter's publication for the edge's own thread (D-285): what another thread reads is
// the lag this thread measured. No time limit is asserted: the block is long and the wait for the
// value generous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLagMeter } from './headroom';

test('D-150, D-285: a block of the event loop shows in the lag the meter publishes for another thread (µs, Atomics)', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const meter = startLagMeter(50, 10, shared);
  try {
    await new Promise((r) => setTimeout(r, 120));
    const end = Date.now() + 250;
    while (Date.now() < end) {
      // the loop is blocked: no timer of the meter runs
    }
    let seen = 0;
    for (let i = 0; i < 100 && seen < 200_000; i++) {
      await new Promise((r) => setTimeout(r, 5));
      seen = Math.max(seen, Atomics.load(shared, 0));
    }
    assert.ok(seen >= 200_000, `a 250 ms block published as at least 200 ms of lag, got ${seen / 1000} ms`);
  } finally {
    meter.stop();
  }
});
