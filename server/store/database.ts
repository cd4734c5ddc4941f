// Opens the PF's database: migrations first (so a fresh clone or a fresh PostgreSQL database just
// works), then a Prisma client over the driver adapter for the URL's kind.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { PrismaClient } from './generated/client';
import { applyMigrations, POSTGRES_BOOKKEEPING, readMigrations, SQLITE_BOOKKEEPING, type MigrationRunner } from './migrate';
import { assertSqliteWritable } from './sqlite-files';
import { openPrismaClient, pgConnectionOf, sqliteFileOf, storeProviderFor, type OpenClientOptions, type StoreProvider } from './open-client';

/** Both generated clients expose the same models; callers see the SQLite client's type. */
export type Db = PrismaClient;

export interface OpenDatabase {
  /**
   * The handle the repositories of server/store take as their first argument. Code outside
   * server/store passes it on and never queries it (server/store/prisma-boundary.test.ts).
   */
  store: Db;
  /** The same client, for the tests of server/store only (server/store/prisma-boundary.test.ts). */
  prisma: Db;
  provider: StoreProvider;
  /** migrations applied by this open (empty when the schema was current) */
  applied: string[];
  /** calls `listener` with the duration (ms) of every query (the metrics' DB latency) */
  onQuery(listener: (ms: number) => void): void;
  close(): Promise<void>;
}

export const SQLITE_MIGRATIONS_DIR = path.resolve('prisma/migrations');
export const POSTGRES_MIGRATIONS_DIR = path.resolve('prisma/postgres/migrations');

// Prisma's own advisory-lock key: `prisma migrate deploy` and this runner exclude each other, and
// two PF instances starting together against one database migrate once.
const PRISMA_MIGRATE_LOCK = 72707369;


async function migrateSqlite(file: string, dir: string): Promise<string[]> {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  try {
    // WAL survives in the file: set once here, every later connection inherits it.
    db.pragma('journal_mode = WAL');
    const runner: MigrationRunner = {
      async execScript(sql) {
        db.transaction(() => db.exec(sql))();
      },
      async query<T>(sql: string, params: unknown[] = []) {
        return db.prepare(sql).all(...params) as T[];
      },
      async execute(sql, params = []) {
        db.prepare(sql).run(...params);
      },
      placeholder: () => '?',
      bookkeepingDdl: SQLITE_BOOKKEEPING,
    };
    return await applyMigrations(runner, readMigrations(dir));
  } finally {
    db.close();
  }
}

/** pg's connection string, with Prisma's `?schema=` turned into the search path */
function pgConnection(url: string): pg.ClientConfig {
  const { connectionString, options } = pgConnectionOf(url);
  return { connectionString, ...(options ? { options } : {}) };
}

async function migratePostgres(url: string, dir: string): Promise<string[]> {
  const client = new pg.Client(pgConnection(url));
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    const runner: MigrationRunner = {
      async execScript(sql) {
        // DDL is transactional in PostgreSQL: a failed migration leaves nothing half-applied.
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw e;
        }
      },
      async query<T>(sql: string, params: unknown[] = []) {
        return (await client.query(sql, params)).rows as T[];
      },
      async execute(sql, params = []) {
        await client.query(sql, params);
      },
      placeholder: (i) => `$${i}`,
      bookkeepingDdl: POSTGRES_BOOKKEEPING,
    };
    return await applyMigrations(runner, readMigrations(dir));
  } finally {
    // Ending the session releases the advisory lock too, even when a migration failed.
    await client.end().catch(() => {});
  }
}

export interface OpenDatabaseOptions extends OpenClientOptions {
  /** override the migrations folder (tests) */
  migrationsDir?: string;
}

export async function openDatabase(url: string, opts: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const provider = storeProviderFor(url);
  if (provider === 'sqlite') assertSqliteWritable(sqliteFileOf(url));
  const applied =
    provider === 'sqlite'
      ? await migrateSqlite(sqliteFileOf(url), opts.migrationsDir ?? SQLITE_MIGRATIONS_DIR)
      : await migratePostgres(url, opts.migrationsDir ?? POSTGRES_MIGRATIONS_DIR);
  const opened = await openPrismaClient(url, { busyTimeoutMs: opts.busyTimeoutMs });
  return { store: opened.client, prisma: opened.client, provider, applied, onQuery: opened.onQuery, close: () => opened.close() };
}
