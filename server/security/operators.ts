// Operator accounts: creation, lookup and the first admin. Every change is written to the audit
// log in the same transaction.
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database';
import { countActiveAdmins, findOperator, insertOperator, listOperatorRecords, resetAdminPassword } from '../store/operators';
import { hashPassword, passwordProblem, verifyPassword } from './password';
import { isRole, type Role } from './roles';

export interface OperatorView {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
}

export const USERNAME = /^[A-Za-z0-9._@-]{1,60}$/;

export function usernameProblem(v: unknown): string | undefined {
  return typeof v === 'string' && USERNAME.test(v) ? undefined : 'the username must be 1 to 60 letters, digits or . _ @ -';
}

export async function createOperator(db: Db, input: { username: string; password: string; role: Role }, actor: string): Promise<OperatorView> {
  const passwordHash = await hashPassword(input.password);
  const row = await insertOperator(db, { username: input.username, passwordHash, role: input.role }, actor);
  return { id: row.id, username: row.username, role: input.role, createdAt: row.createdAt.toISOString(), disabled: false };
}

export async function listOperators(db: Db): Promise<OperatorView[]> {
  const rows = await listOperatorRecords(db);
  return rows.map((r) => ({ id: r.id, username: r.username, role: isRole(r.role) ? r.role : 'viewer', createdAt: r.createdAt.toISOString(), disabled: Boolean(r.disabledAt) }));
}

export interface BootstrapResult {
  username: string;
  /** set only when the password was generated here: it is printed once and never stored in clear */
  generatedPassword?: string;
  created: boolean;
}

/**
 * Makes sure the console can be entered. With no admin account yet, creates one named
 * PF_ADMIN_USER (default "admin") with PF_ADMIN_PASSWORD, or with a generated password the caller
 * prints once. When PF_ADMIN_PASSWORD is set and that admin exists with another password, the
 * password is reset to it: the recovery path for a lost admin password.
 */
export async function ensureFirstAdmin(db: Db, env: Record<string, string | undefined>): Promise<BootstrapResult> {
  const username = env.PF_ADMIN_USER || 'admin';
  const envPassword = env.PF_ADMIN_PASSWORD || undefined;
  const nameProblem = usernameProblem(username);
  if (nameProblem) throw new Error(`PF_ADMIN_USER: ${nameProblem}`);
  if (envPassword) {
    const problem = passwordProblem(envPassword);
    if (problem) throw new Error(`PF_ADMIN_PASSWORD: ${problem}`);
  }
  const existing = await findOperator(db, username);
  if (existing) {
    if (envPassword && !(await verifyPassword(envPassword, existing.passwordHash))) {
      const passwordHash = await hashPassword(envPassword);
      await resetAdminPassword(db, existing.id, username, passwordHash, 'environment');
    }
    return { username, created: false };
  }
  if (!envPassword && (await countActiveAdmins(db)) > 0) return { username, created: false };
  const password = envPassword ?? randomBytes(15).toString('base64url');
  await createOperator(db, { username, password, role: 'admin' }, 'environment');
  return { username, created: true, generatedPassword: envPassword ? undefined : password };
}
