// What-if over a recorded window of the database, batch by batch (a day of traffic is not held in
// memory at once), with progress after each batch. Used by the CLI and the console.
import { parseBatch } from '../engine/replay/tape';
import type { Overrides } from '../engine/replay/replay';
import { EMPTY_DIFF, mergeDiffs, whatIf, type WhatIfDiff } from '../engine/replay/what-if';
import type { Db } from '../store/database';
import { recordedBatches } from '../store/engine-recording';

export interface WindowProgress {
  /** batches read of those the window overlaps */
  done: number;
  total: number;
  calls: number;
}

/** Calls replayed between two turns of the event loop: the PF serves SIP in this same process. */
const SLICE = 128;

export async function whatIfWindow(db: Db, from: Date, to: Date, proposal: Overrides, onProgress: (p: WindowProgress) => void = () => {}): Promise<WhatIfDiff> {
  let diff = EMPTY_DIFF;
  for await (const b of recordedBatches(db, from, to)) {
    const calls = parseBatch(b.lines);
    for (let i = 0; i < calls.length; i += SLICE) {
      diff = mergeDiffs(diff, whatIf(calls.slice(i, i + SLICE), proposal));
      await new Promise((r) => setImmediate(r));
    }
    onProgress({ done: b.done, total: b.total, calls: diff.calls });
  }
  return diff;
}
