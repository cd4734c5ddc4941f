// Where to go after signing in: only a path on this console, never another site (an open
// redirect would let a crafted link send a fresh session's operator anywhere).
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}
