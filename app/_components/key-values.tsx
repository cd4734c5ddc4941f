// A nested value (a decision's inputs, a stored object's headers) as a readable key/value list:
// nested objects become dotted keys, lists are joined, booleans read yes/no.
import type { ReactNode } from 'react';

function flatten(value: unknown, prefix: string, out: Array<[string, unknown]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value]);
}

function show(v: unknown): ReactNode {
  if (v === null || v === undefined) return <span className="muted">—</span>;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) {
    if (v.length === 0) return <span className="muted">none</span>;
    if (v.every((x) => typeof x !== 'object' || x === null)) return v.map(String).join(', ');
    return <code className="wrap">{JSON.stringify(v)}</code>;
  }
  if (typeof v === 'object') return <span className="muted">empty</span>;
  return String(v);
}

/** "imdnDedupKey" → "imdn dedup key" */
export function words(key: string): string {
  return key
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase())
    .join(' › ');
}

export function KeyValues({ value, testId }: { value: unknown; testId?: string }) {
  const rows: Array<[string, unknown]> = [];
  flatten(value, '', rows);
  if (rows.length === 0 || (rows.length === 1 && rows[0][0] === '')) return <p className="muted">nothing recorded</p>;
  return (
    <dl className="kv" data-testid={testId}>
      {rows.map(([k, v]) => (
        <div key={k} className="kv-row" data-key={k}>
          <dt title={k}>{words(k)}</dt>
          <dd>{show(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
