// Plain-text rendering of a run for the terminal: the ladder, the decisions, the verdict.
import type { DecisionRecord } from '../live/events';
import type { LadderEntry } from './ladder';
import type { FlowResult } from './run-flow';

export function ladderLine(e: LadderEntry): string {
  const t = `${String(e.t).padStart(5)} ms`;
  if (e.kind === 'step') return `${t}  ── ${e.label}`;
  const arrow = `${e.from} → ${e.to}`;
  return `${t}  ${arrow.padEnd(34)} ${e.label}${e.note ? `   [${e.note}]` : ''}`;
}

export function decisionLine(d: DecisionRecord): string {
  return `  #${d.seq} ${d.branch.padEnd(16)} ${d.outcome.padEnd(12)} ${d.summary}`;
}

export function verdict(r: FlowResult): string {
  const lines = [`${r.passed ? 'PASS' : 'FAIL'}  ${r.flow}  (${r.durationMs} ms)`];
  for (const m of r.expected) lines.push(`  ${m.seq !== undefined ? 'ok  ' : 'MISS'} decision ${[m.expected.branch].flat().join(' | ')}${m.expected.outcome ? ` ${m.expected.outcome}` : ''}${m.seq !== undefined ? ` (#${m.seq})` : ''}`);
  for (const f of r.forbidden) lines.push(`  BAD  decision ${[f.expected.branch].flat().join(' | ')} must not be made (#${f.seq})`);
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.label}${c.detail ? `: ${c.detail}` : ''}`);
  if (r.error) lines.push(`  ERROR ${r.error}`);
  return lines.join('\n');
}
