// CSRF check for state-changing API calls. Two accepted proofs that the request comes from the
// console's own pages: the session's CSRF token echoed in a header (double submit, what scripts
// and the test helpers send), or a same-origin Origin header (browsers send Origin on every
// non-GET fetch; a forged cross-site request carries the attacker's origin). Session cookies are
// SameSite=Strict besides, so a cross-site request normally carries no session at all.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CSRF_HEADER } from './cookies';

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  const host = headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string' || origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function csrfOk(headers: IncomingHttpHeaders, sessionCsrf: string): boolean {
  if (headers['sec-fetch-site'] === 'cross-site') return false;
  const token = headers[CSRF_HEADER];
  if (typeof token === 'string' && token.length > 0) return sameString(token, sessionCsrf);
  return sameOrigin(headers);
}
