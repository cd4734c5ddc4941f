// What-if runs the console starts: each replays a recorded window (the last hour or day) under a
// proposal, in the background, with progress the page polls; the finished diff stays with its run
// so that applying the proposal audits exactly the diff the operator was shown.
import { randomUUID } from 'node:crypto';
import type { Overrides } from '../engine/replay/replay';
import type { WhatIfDiff } from '../engine/replay/what-if';
import type { Db } from '../store/database';
import { whatIfWindow, type WindowProgress } from './window';

export const WINDOWS = { hour: 3_600_000, day: 86_400_000 } as const;
export type WindowName = keyof typeof WINDOWS;

/** what applying the run would change: the provider policy (the Policy form's body) or one user's rule */
export type WhatIfTarget = { kind: 'provider-policy'; policy: unknown } | { kind: 'user-rule'; aor: string; rule: unknown };

export interface WhatIfRun {
  id: string;
  target: WhatIfTarget;
  proposal: Overrides;
  window: { name: WindowName; from: string; to: string };
  state: 'running' | 'done' | 'failed' | 'applied' | 'discarded';
  progress: WindowProgress;
  diff?: WhatIfDiff;
  error?: string;
  startedAt: number;
}

/** Runs kept (newest); older ones are forgotten, and an unapplied run cannot be applied after an hour. */
const KEEP = 20;
export const APPLY_WITHIN_MS = 3_600_000;

export class WhatIfRuns {
  private readonly runs = new Map<string, WhatIfRun>();

  constructor(private readonly db: Db, private readonly beforeRead: () => Promise<void>, private readonly now: () => number = Date.now) {}

  start(target: WhatIfTarget, proposal: Overrides, name: WindowName): WhatIfRun {
    const to = this.now();
    const from = to - WINDOWS[name];
    const run: WhatIfRun = {
      id: randomUUID(),
      target,
      proposal,
      window: { name, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      state: 'running',
      progress: { done: 0, total: 0, calls: 0 },
      startedAt: to,
    };
    this.runs.set(run.id, run);
    for (const id of [...this.runs.keys()].slice(0, Math.max(0, this.runs.size - KEEP))) this.runs.delete(id);
    void (async () => {
      try {
        // what was decided a moment ago is part of the window
        await this.beforeRead();
        run.diff = await whatIfWindow(this.db, new Date(from), new Date(to), proposal, (p) => (run.progress = p));
        run.state = 'done';
      } catch (e) {
        run.state = 'failed';
        run.error = (e as Error)?.message ?? String(e);
      }
    })();
    return run;
  }

  get(id: string): WhatIfRun | undefined {
    return this.runs.get(id);
  }

  /** the run if it can be applied now: finished, not applied or discarded, not too old */
  applicable(id: string): WhatIfRun | string {
    const r = this.runs.get(id);
    if (!r) return 'this what-if run is not known (it may be too old): run it again';
    if (r.state === 'running') return 'this what-if run has not finished';
    if (r.state !== 'done') return `this what-if run is ${r.state}`;
    if (this.now() - r.startedAt > APPLY_WITHIN_MS) return 'this what-if run is over an hour old: run it again';
    return r;
  }
}
