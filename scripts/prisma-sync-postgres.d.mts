// Types for scripts/prisma-sync-postgres.mjs (plain JS so that it runs without a build step).
export const SQLITE_SCHEMA: string;
export const POSTGRES_SCHEMA: string;
/** Rewrite a SQLite schema's text for PostgreSQL; output paths are re-based from fromDir to toDir. */
export function toPostgresSchema(text: string, fromDir?: string, toDir?: string): string;
