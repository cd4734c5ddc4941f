// The what-if diff as text (the CLI prints it; the console shows the same groups as a table).
import type { WhatIfDiff } from '../engine/replay/what-if';

const list = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, n]) => (n === 1 ? k : `${k} ×${n}`))
    .join(', ') || '—';

export function formatDiff(diff: WhatIfDiff, window: { from: Date; to: Date }): string {
  const lines = [
    `window ${window.from.toISOString()} → ${window.to.toISOString()}: ${diff.calls} engine call(s) replayed, ${diff.changedCalls} would change` +
      (diff.lookupMisses ? ` (${diff.lookupMisses} state lookup(s) the record could not answer exactly: those calls are approximate)` : ''),
  ];
  if (diff.groups.length === 0) return [...lines, 'no decision or effect would change'].join('\n');
  for (const g of diff.groups) {
    lines.push('', `${g.branch}  ${g.user || '(no user)'}  ${g.calls} call(s)`, `  outcomes: ${list(g.outcomes)}`, `  new effects: ${list(g.newEffects)}`, `  vanished effects: ${list(g.vanishedEffects)}`);
  }
  return lines.join('\n');
}
