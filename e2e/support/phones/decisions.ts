// The PF's decision log as the phone tests read it: flushed, in order, the columns they assert on.
import type { Pf } from '../../../server/pf';
import { decisionsInOrder } from '../../../server/store/decision-search';

export interface DecisionRow {
  seq: number;
  procedure: string;
  branch: string;
  outcome: string;
  messageId: string | null;
  disposition: string | null;
}

export async function decisions(pf: Pf): Promise<DecisionRow[]> {
  await pf.decisions.flush();
  const rows = await decisionsInOrder(pf.db.store);
  return rows.map((r) => ({
    seq: r.seq, procedure: r.procedure, branch: r.branch, outcome: r.outcome,
    messageId: r.messageId, disposition: r.disposition,
  }));
}

const line = (r: DecisionRow) => `${r.procedure} ${r.branch} ${r.outcome}${r.messageId ? ` ${r.messageId}` : ''}${r.disposition ? ` ${r.disposition}` : ''}`;

/** one line per decision, for assertion messages; a long log as its first lines and a tally */
export function describe(rows: DecisionRow[], max = 40): string {
  if (rows.length <= max) return rows.map(line).join('\n');
  const tally = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.procedure} ${r.branch} ${r.outcome}`;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  return [
    ...rows.slice(0, max).map(line),
    `… ${rows.length - max} more; all ${rows.length} by branch:`,
    ...[...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} × ${k}`),
  ].join('\n');
}

/** the error, with the PF's decision log appended, to see what the PF did when a step failed */
export async function withDecisions(e: unknown, pf: Pf): Promise<Error> {
  const err = e instanceof Error ? e : new Error(String(e));
  let log: string;
  try {
    log = describe(await decisions(pf));
  } catch {
    return err; // the PF is gone
  }
  const out = new Error(`${err.message}\nPF decisions:\n${log || '(none)'}`, { cause: err });
  out.stack = `${out.message}\n${(err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
  return out;
}
