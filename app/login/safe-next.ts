// Where to go after signing in: only a path on this console, never another site (an open
// redirect would let a crafted link send a fresh session's operator anywhere). Browsers remove
// tabs and newlines from URLs and read "\" as "/", so "/<TAB>/evil.example" is "//evil.example":
// any control character, space or backslash is refused, and what is left must resolve to the
// page's own origin.
const BASE = 'https://pf.invalid';

export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 2048 || !next.startsWith('/') || next.startsWith('//')) return '/';
  if (/[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE || url.pathname.startsWith('/login') || url.pathname.startsWith('//')) return '/';
  return next;
}
