// The order of the imdn part's steps (D-340): every series' step at one rate, then every series'
// step at the next, each series until a step of its own fails. Run series by series, the PF's
// steps came minutes after Kamailio's, and this machine's speed for the PF moved by a third within
// ten minutes while Kamailio's did not: a ratio of two series is only as good as the minutes they
// share.

/** What the same traffic goes through (SIPp's UAS alone, Kamailio, a reference relay, the PF), and its steps so far. */
export interface Series<S extends { ok: boolean }, M = unknown> {
  label: string;
  target: string;
  /** how a step is measured (the relay's CPU and memory from /proc); none for the ceiling */
  around?: M;
  /** by rising rate; the last one failed when `failed` */
  steps: S[];
  failed?: boolean;
}

/** `step` runs one series at one rate, measured by the series' `around` */
export async function interleaved<S extends { ok: boolean }, M>(
  series: Series<S, M>[],
  rates: number[],
  step: (label: string, target: string, rate: number, around: M | undefined) => Promise<S>,
  pause: () => Promise<void> = () => new Promise((r) => setTimeout(r, 1000)),
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  for (const rate of rates) {
    const going = series.filter((s) => !s.failed);
    if (going.length === 0) return;
    log(`IMDN throughput at ${rate}/s: ${going.map((s) => s.label).join(', ')}`);
    for (const s of going) {
      const result = await step(s.label, s.target, rate, s.around);
      s.steps.push(result);
      if (!result.ok) s.failed = true;
      await pause();
    }
  }
}
