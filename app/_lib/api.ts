'use client';
// Calls to the console API. Errors come back as sentences (and per-field problems for forms);
// a network failure is turned into one too, so pages can show it instead of throwing.

export interface ApiError {
  error: string;
  fields?: Array<{ field: string; message: string }>;
}

export type ApiResult<T> = { ok: true; data: T } | ({ ok: false; status: number } & ApiError);

export async function api<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    const r = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const json = (await r.json().catch(() => ({ error: `HTTP ${r.status}` }))) as T & ApiError;
    if (!r.ok) return { ok: false, status: r.status, error: json.error ?? `HTTP ${r.status}`, fields: json.fields };
    return { ok: true, data: json };
  } catch (err) {
    return { ok: false, status: 0, error: `the PF did not answer (${(err as Error).message})` };
  }
}

export const userPath = (aor: string) => `/users/${encodeURIComponent(aor)}`;
export const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;

/** a route segment as Next hands it over: sometimes still percent-encoded */
export function decodeSegment(s: string | string[] | undefined): string {
  const v = Array.isArray(s) ? s[0] : (s ?? '');
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
