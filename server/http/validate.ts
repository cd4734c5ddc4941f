// Small readers for request input: each returns the typed value or throws a 400 that names the
// field and says what was expected, so the console can show it next to the field.
import { badRequest } from './http-error';

export function asObject(v: unknown, what = 'the body'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

export function str(o: Record<string, unknown>, key: string, opts: { max?: number; pattern?: RegExp; hint?: string; optional?: boolean } = {}): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return '';
    throw badRequest(`${key} is required`);
  }
  if (typeof v !== 'string') throw badRequest(`${key} must be text`);
  const t = v.trim();
  if (opts.max && t.length > opts.max) throw badRequest(`${key} is longer than ${opts.max} characters`);
  if (opts.pattern && !opts.pattern.test(t)) throw badRequest(`${key} ${opts.hint ?? 'has a bad format'}: "${t}"`);
  return t;
}

/** true, false, or null (unset) */
export function triState(o: Record<string, unknown>, key: string): boolean | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be true, false or null (not set)`);
  return v;
}

export function oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw badRequest(`${key} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** an optional query-string filter, trimmed; empty means absent */
export function query(url: URL, key: string, max = 200): string | undefined {
  const v = url.searchParams.get(key)?.trim();
  if (!v) return undefined;
  if (v.length > max) throw badRequest(`the ${key} filter is longer than ${max} characters`);
  return v;
}

export function limitParam(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit must be a whole number from 1 to ${max}`);
  return n;
}

/** an optional `seq` (a decision's event id) */
export function seqParam(url: URL): number | undefined {
  const raw = url.searchParams.get('seq');
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw badRequest('seq must be a whole number of at least 1');
  return n;
}
