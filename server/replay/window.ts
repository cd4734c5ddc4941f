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

export async function whatIfWindow(db: Db, from: Date, to: Date, proposal: Overrides, onProgress: (p: WindowProgress) => void = () => {}): Promise<WhatIfDiff> {
  let diff = EMPTY_DIFF;
  for await (const b of recordedBatches(db, from, to)) {
    diff = mergeDiffs(diff, whatIf(parseBatch(b.lines), proposal));
    onProgress({ done: b.done, total: b.total, calls: diff.calls });
    // let the event loop breathe between batches: the PF serves SIP in this same process
    await new Promise((r) => setImmediate(r));
  }
  return diff;
}
