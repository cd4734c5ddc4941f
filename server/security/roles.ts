// Console roles and what each may do. Enforced by the HTTP gate on every API call, so the UI
// hiding a button is a convenience, never the protection.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string | undefined): boolean {
  return SAFE.has((method ?? 'GET').toUpperCase());
}

/**
 * The least role an API call needs. Reading is for everyone signed in; changing policy, rules,
 * topology or running demo flows needs an operator; accounts are the admin's.
 */
export function requiredRole(method: string | undefined, pathname: string): Role {
  // signing out (and the session's own endpoints) is everyone's
  if (pathname.startsWith('/api/auth/')) return 'viewer';
  if (pathname === '/api/operators' || pathname.startsWith('/api/operators/')) return 'admin';
  return isSafeMethod(method) ? 'viewer' : 'operator';
}
