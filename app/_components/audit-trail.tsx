// Who changed what, when: the audit entries of a policy or the topology, newest first.
import type { AuditView } from '../../server/http/queries/audit';
import { words } from './key-values';

/** an audit entry as the API sends it */
export type AuditItem = AuditView;

function changes(before: unknown, after: unknown): string[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const fmt = (v: unknown) => (v === undefined || v === null ? 'not set' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => `${words(k)}: ${fmt(b[k])} → ${fmt(a[k])}`);
}

/** a change applied from a what-if run: the diff it was shown, in a few lines */
function whatIfLines(after: unknown): string[] {
  const a = after as { window?: { name?: string }; calls?: number; changedCalls?: number; groups?: Array<{ branch: string; user: string; outcomes: Record<string, number> }> } | null;
  if (!a) return [];
  const head = `applied after a what-if over the last ${a.window?.name ?? '?'}: ${a.calls ?? 0} engine calls replayed, ${a.changedCalls ?? 0} would change`;
  return [head, ...(a.groups ?? []).map((g) => `${g.branch} ${g.user || ''}: ${Object.entries(g.outcomes).map(([k, n]) => `${k}${n > 1 ? ` ×${n}` : ''}`).join(', ') || 'effects change'}`)];
}

export function AuditTrail({ entries }: { entries: AuditItem[] }) {
  if (entries.length === 0) return <p className="muted">No changes recorded yet.</p>;
  return (
    <ol className="audit" data-testid="audit-trail">
      {entries.map((e) => (
        <li key={e.id} data-testid="audit-entry" data-action={e.action}>
          <div className="audit-head">
            <code>{e.action}</code> <span className="muted">by {e.actor}</span>{' '}
            <time className="muted" dateTime={e.at}>
              {new Date(e.at).toLocaleString()}
            </time>
          </div>
          <ul className="audit-changes">
            {(e.action === 'what-if.applied' ? whatIfLines(e.after) : changes(e.before, e.after)).map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
