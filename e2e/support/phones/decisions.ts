// The PF's decision log as the phone tests read it: flushed, in order, the columns they assert on.
import type { Pf } from '../../../server/pf';

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
  const rows = await pf.db.prisma.decision.findMany({ orderBy: { seq: 'asc' } });
  return rows.map((r) => ({
    seq: Number(r.seq), procedure: r.procedure, branch: r.branch, outcome: r.outcome,
    messageId: r.messageId, disposition: r.disposition,
  }));
}

/** one line per decision, for assertion messages */
export function describe(rows: DecisionRow[]): string {
  return rows.map((r) => `${r.procedure} ${r.branch} ${r.outcome}${r.messageId ? ` ${r.messageId}` : ''}${r.disposition ? ` ${r.disposition}` : ''}`).join('\n');
}

/** the error with the PF's whole decision log appended, to see what the PF did when a wait failed */
export async function withDecisions(e: unknown, pf: Pf): Promise<Error> {
  const err = e instanceof Error ? e : new Error(String(e));
  try {
    err.message += `\nPF decisions:\n${describe(await decisions(pf))}`;
  } catch {
    /* the PF is gone */
  }
  return err;
}
