// Between the policy object and the form: dotted paths in, text for lines and JSON fields, and
// back to a policy object on save (with parse problems reported per field).
import type { PolicyField } from '../../server/http/policy-fields';

export type Draft = Record<string, string | boolean>;

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

export function toDraft(fields: PolicyField[], policy: unknown): Draft {
  const d: Draft = {};
  for (const f of fields) {
    const v = getPath(policy, f.path);
    if (f.kind === 'boolean') d[f.path] = v === true;
    else if (f.kind === 'lines') d[f.path] = Array.isArray(v) ? v.join('\n') : '';
    else if (f.kind === 'json') d[f.path] = JSON.stringify(v ?? {}, null, 2);
    else d[f.path] = v === undefined || v === null ? '' : String(v);
  }
  return d;
}

export function fromDraft(fields: PolicyField[], d: Draft): { policy: Record<string, unknown>; errors: Record<string, string> } {
  const policy: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = d[f.path];
    let v: unknown;
    if (f.kind === 'boolean') v = raw === true;
    else if (f.kind === 'integer') {
      const t = String(raw).trim();
      v = t === '' || !/^-?\d+$/.test(t) ? t : Number(t);
    } else if (f.kind === 'lines') v = String(raw).split('\n').map((s) => s.trim()).filter(Boolean);
    else if (f.kind === 'json') {
      try {
        v = JSON.parse(String(raw) || '{}');
      } catch (e) {
        errors[f.path] = `${f.path} is not valid JSON (${(e as Error).message})`;
        continue;
      }
    } else if (f.kind === 'text') v = String(raw).trim() === '' ? null : String(raw).trim();
    else v = raw;
    const parts = f.path.split('.');
    let o = policy;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts[parts.length - 1]] = v;
  }
  return { policy, errors };
}
