// Cookie header parsing and Set-Cookie values for the console session.
export const SESSION_COOKIE = 'pf_session';
/** readable by the console's script, which echoes it in the x-csrf-token header */
export const CSRF_COOKIE = 'pf_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

// Secure: browsers honour it on http://127.0.0.1 and localhost (potentially trustworthy origins);
// anywhere else the console must sit behind TLS, which is the point.
export function sessionCookies(token: string, csrf: string, maxAgeSec: number): string[] {
  const common = `Path=/; Max-Age=${maxAgeSec}; SameSite=Strict; Secure`;
  return [`${SESSION_COOKIE}=${token}; ${common}; HttpOnly`, `${CSRF_COOKIE}=${csrf}; ${common}`];
}

export function clearedCookies(): string[] {
  const common = 'Path=/; Max-Age=0; SameSite=Strict; Secure';
  return [`${SESSION_COOKIE}=; ${common}; HttpOnly`, `${CSRF_COOKIE}=; ${common}`];
}
