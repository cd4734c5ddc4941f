// Opens the PF's database: migrations first (so a fresh clone just works), then a Prisma client
// over the driver adapter for the URL's kind.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client';
import { applyMigrations, readMigrations, SQLITE_BOOKKEEPING, type MigrationRunner } from './migrate';

export type Db = InstanceType<typeof PrismaClient>;

export interface OpenDatabase {
  prisma: Db;
  provider: 'sqlite' | 'postgresql';
  /** migrations applied by this open (empty when the schema was current) */
  applied: string[];
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.resolve('prisma/migrations');

export function sqliteFilePath(url: string): string {
  const raw = url.replace(/^file:/, '');
  return path.isAbsolute(raw) ? raw : path.resolve(raw);
}

async function migrateSqlite(file: string): Promise<string[]> {
  const db = new Database(file);
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
    return await applyMigrations(runner, readMigrations(MIGRATIONS_DIR));
  } finally {
    db.close();
  }
}

export async function openDatabase(url: string): Promise<OpenDatabase> {
  if (!url.startsWith('file:')) {
    throw new Error('PostgreSQL support is not wired yet in this build; use a file: URL');
  }
  const file = sqliteFilePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const applied = await migrateSqlite(file);
  const adapter = new PrismaBetterSqlite3({ url: `file:${file}` });
  const prisma = new PrismaClient({ adapter });
  // NORMAL is durable in WAL mode except for power loss; a process crash loses nothing committed.
  await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  return { prisma, provider: 'sqlite', applied, close: () => prisma.$disconnect() };
}
