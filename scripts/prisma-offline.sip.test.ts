// The Prisma 7 CLI, run offline through scripts/prisma-schema-engine.mjs, against SQLite and a
// throwaway PostgreSQL 15. Everything happens in a temporary copy of the project's Prisma files,
// so the work tree's data/ and migrations are never touched. Assertions look at the effects
// (tables, _prisma_migrations rows, files written), not only at exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startThrowawayPostgres } from './pg-throwaway.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
const COMMAND_TIMEOUT_MS = 90_000;

let work: string;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-offline-'));
  fs.mkdirSync(path.join(work, 'prisma'));
  fs.mkdirSync(path.join(work, 'scripts'));
  fs.mkdirSync(path.join(work, 'server', 'store'), { recursive: true });
  // Only the schema: migrations are created here from scratch by `migrate dev`.
  fs.copyFileSync(path.join(ROOT, 'prisma', 'schema.prisma'), path.join(work, 'prisma', 'schema.prisma'));
  for (const f of ['prisma.config.ts', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(work, f));
  for (const f of ['prisma-schema-engine.mjs', 'prisma-sync-postgres.mjs']) fs.copyFileSync(path.join(ROOT, 'scripts', f), path.join(work, 'scripts', f));
  fs.chmodSync(path.join(work, 'scripts', 'prisma-schema-engine.mjs'), 0o755);
  fs.copyFileSync(path.join(ROOT, 'server', 'store', 'open-client.ts'), path.join(work, 'server', 'store', 'open-client.ts'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
});

after(() => {
  if (process.env.PRISMA_OFFLINE_KEEP) console.log(`kept ${work}`);
  else if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  out: string;
}

function prisma(args: string[], databaseUrl: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1' };
  // prisma.config.ts must pick the shim of this copy.
  delete env.PRISMA_SCHEMA_ENGINE_BINARY;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prisma ${args.join(' ')} timed out:\n${out}`));
    }, COMMAND_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function prismaOk(args: string[], databaseUrl: string): Promise<string> {
  const r = await prisma(args, databaseUrl);
  assert.equal(r.code, 0, `prisma ${args.join(' ')} failed:\n${r.out}`);
  return r.out;
}

function migrationDirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql'))).sort();
}

// Replays the committed migrations on a shadow database and diffs the result against the
// schema: a model change without its migration (or a stale PostgreSQL copy) fails here.
async function assertCommittedMigrationsMatch(committedDir: string, schema: string, databaseUrl: string) {
  const dirs = migrationDirs(committedDir);
  assert.ok(dirs.length > 0, `no committed migrations in ${path.relative(ROOT, committedDir)}`);
  const copy = fs.mkdtempSync(path.join(work, 'committed-'));
  fs.cpSync(committedDir, copy, { recursive: true });
  const r = await prisma(['migrate', 'diff', '--from-migrations', copy, '--to-schema', schema, '--exit-code'], databaseUrl);
  assert.equal(r.code, 0, `${path.relative(ROOT, committedDir)} does not produce ${schema} (create the missing migration):\n${r.out}`);
}

// ---------------------------------------------------------------------------------------------

function sqliteState(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'").all() as { type: string; name: string }[];
    const names = objects.map((o) => o.name).sort();
    const migrations = names.includes('_prisma_migrations')
      ? (db.prepare('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name').all() as { migration_name: string; finished_at: string | null }[])
      : null;
    const userColumns = names.includes('User') ? (db.prepare('PRAGMA table_info("User")').all() as { name: string; notnull: number }[]) : [];
    return { names, views: objects.filter((o) => o.type === 'view').map((o) => o.name), migrations, userColumns };
  } finally {
    db.close();
  }
}

// The schema keeps growing; these three models are the ones this test relies on.
const MODEL_TABLES = ['Decision', 'Registration', 'User'];

function assertHasTables(actual: string[], expected: string[]) {
  for (const table of expected) assert.ok(actual.includes(table), `table ${table} missing (have: ${actual.join(', ')})`);
}

test('Prisma CLI offline on SQLite', { timeout: 240_000 }, async (t) => {
  const dbFile = path.join(work, 'dev.db');
  const url = `file:${dbFile}`;
  const migrationsDir = path.join(work, 'prisma', 'migrations');

  await t.test('validate and generate', async () => {
    assert.match(await prismaOk(['validate'], url), /is valid/);
    await prismaOk(['generate'], url);
    assert.ok(fs.existsSync(path.join(work, 'server', 'store', 'generated', 'client.ts')), 'generated client missing');
  });

  await t.test('migrate dev --name init creates and applies the first migration', async () => {
    await prismaOk(['migrate', 'dev', '--name', 'init'], url);
    const dirs = migrationDirs(migrationsDir);
    assert.equal(dirs.length, 1);
    assert.match(dirs[0], /^\d{14}_init$/);
    assert.match(fs.readFileSync(path.join(migrationsDir, dirs[0], 'migration.sql'), 'utf8'), /CREATE TABLE "User"/);
    assert.match(fs.readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8'), /provider = "sqlite"/);
    const s = sqliteState(dbFile);
    assertHasTables(s.names, MODEL_TABLES);
    assert.deepEqual(s.migrations?.map((m) => m.migration_name), dirs);
    assert.ok(s.migrations?.every((m) => m.finished_at !== null));
  });

  await t.test('migrate status says up to date', async () => {
    assert.match(await prismaOk(['migrate', 'status'], url), /Database schema is up to date/);
  });

  await t.test('migrate status on an empty database lists the pending migration and changes nothing', async () => {
    const empty = path.join(work, 'empty.db');
    new Database(empty).close();
    const r = await prisma(['migrate', 'status'], `file:${empty}`);
    assert.notEqual(r.code, 0, 'status must fail when migrations are pending');
    assert.match(r.out, /not yet been applied/);
    assert.deepEqual(sqliteState(empty).names, [], 'status must not create tables');
  });

  await t.test('migrate deploy on a fresh database', async () => {
    const fresh = path.join(work, 'fresh.db');
    const out = await prismaOk(['migrate', 'deploy'], `file:${fresh}`);
    assert.match(out, /successfully applied/);
    const s = sqliteState(fresh);
    assertHasTables(s.names, MODEL_TABLES);
    assert.equal(s.migrations?.length, 1);
  });

  await t.test('migrate dev on a fresh database with an existing history applies it, then finds nothing new', async () => {
    const fresh = path.join(work, 'fresh-dev.db');
    const out = await prismaOk(['migrate', 'dev', '--name', 'nothing_new'], `file:${fresh}`);
    assert.match(out, /in sync/);
    assert.equal(migrationDirs(migrationsDir).length, 1, 'no new migration expected');
    assert.equal(sqliteState(fresh).migrations?.length, 1);
  });

  await t.test('migrate dev with a change that redefines a table (multi-statement script)', async () => {
    const schemaFile = path.join(work, 'prisma', 'schema.prisma');
    const schema = fs.readFileSync(schemaFile, 'utf8');
    // Optional -> required with a default: SQLite needs a table redefinition script.
    const changed = schema.replace(/(\n\s*displayName\s+)String\?/, '$1String @default("a;b")');
    assert.notEqual(changed, schema, 'the test expects User.displayName String? in the schema');
    fs.writeFileSync(schemaFile, changed);
    try {
      await prismaOk(['migrate', 'dev', '--name', 'display_name_required'], url);
    } finally {
      fs.writeFileSync(schemaFile, schema);
    }
    const dirs = migrationDirs(migrationsDir);
    assert.equal(dirs.length, 2);
    assert.match(fs.readFileSync(path.join(migrationsDir, dirs[1], 'migration.sql'), 'utf8'), /new_User/);
    const s = sqliteState(dbFile);
    assert.equal(s.userColumns.find((c) => c.name === 'displayName')?.notnull, 1);
    assert.equal(s.migrations?.length, 2);
  });

  await t.test('migrate reset --force drops data and views, then re-applies', async () => {
    const db = new Database(dbFile);
    db.prepare('INSERT INTO "User" (id, aor, displayName) VALUES (?, ?, ?)').run('u1', 'sip:alice@example.com', 'Alice');
    db.exec('CREATE VIEW "AllUsers" AS SELECT * FROM "User"');
    db.close();
    await prismaOk(['migrate', 'reset', '--force'], url);
    const s = sqliteState(dbFile);
    assert.deepEqual(s.views, []);
    assertHasTables(s.names, MODEL_TABLES);
    assert.equal(s.migrations?.length, 2);
    const check = new Database(dbFile, { readonly: true });
    assert.equal((check.prepare('SELECT count(*) AS n FROM "User"').get() as { n: number }).n, 0);
    check.close();
  });

  await t.test('migrate diff --from-empty --to-schema --script (stdout and --output)', async () => {
    const out = await prismaOk(['migrate', 'diff', '--from-empty', '--to-schema', 'prisma/schema.prisma', '--script'], url);
    assert.match(out, /CREATE TABLE "Registration"/);
    const file = path.join(work, 'diff.sql');
    await prismaOk(['migrate', 'diff', '--from-empty', '--to-schema', 'prisma/schema.prisma', '--script', '--output', file], url);
    assert.match(fs.readFileSync(file, 'utf8'), /CREATE TABLE "Decision"/);
  });

  await t.test('db push on a fresh database', async () => {
    const pushed = path.join(work, 'push.db');
    assert.match(await prismaOk(['db', 'push'], `file:${pushed}`), /in sync/);
    const s = sqliteState(pushed);
    assertHasTables(s.names, MODEL_TABLES);
    assert.equal(s.migrations, null, 'db push keeps no migration history');
  });

  await t.test("the repository's SQLite migrations produce prisma/schema.prisma", async () => {
    await assertCommittedMigrationsMatch(path.join(ROOT, 'prisma', 'migrations'), 'prisma/schema.prisma', url);
  });

  await t.test('openPrismaClient opens the SQLite client in WAL mode', async () => {
    const { openPrismaClient } = await import(pathToFileURL(path.join(work, 'server', 'store', 'open-client.ts')).href);
    const opened = await openPrismaClient(url);
    try {
      assert.equal(opened.provider, 'sqlite');
      await opened.client.user.create({ data: { aor: 'sip:bob@example.com' } });
      assert.equal(await opened.client.user.count(), 1);
      const [mode] = await opened.client.$queryRawUnsafe('PRAGMA journal_mode');
      assert.equal(mode.journal_mode, 'wal');
      const [sync] = await opened.client.$queryRawUnsafe('PRAGMA synchronous');
      assert.equal(Number(sync.synchronous), 1, 'synchronous=NORMAL');
    } finally {
      await opened.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

async function pgQuery<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function pgTables(url: string): Promise<string[]> {
  const rows = await pgQuery<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  return rows.map((r) => r.table_name);
}

async function pgMigrations(url: string): Promise<string[]> {
  const rows = await pgQuery<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1');
  return rows.map((r) => r.migration_name);
}

test('Prisma CLI offline on PostgreSQL 15', { timeout: 240_000 }, async (t) => {
  const server = await startThrowawayPostgres({ database: 'cpm' });
  const url: string = server.url;
  const dbUrl = (name: string) => url.replace(/\/cpm$/, `/${name}`);
  const migrationsDir = path.join(work, 'prisma', 'postgres', 'migrations');
  try {
    await t.test('sync, validate and generate the PostgreSQL schema and client', async () => {
      const r = spawn(process.execPath, [path.join(work, 'scripts', 'prisma-sync-postgres.mjs')], { cwd: work, stdio: 'ignore' });
      const code = await new Promise((resolve) => r.once('exit', resolve));
      assert.equal(code, 0);
      const schema = fs.readFileSync(path.join(work, 'prisma', 'postgres', 'schema.prisma'), 'utf8');
      assert.match(schema, /provider = "postgresql"/);
      assert.match(await prismaOk(['validate'], url), /postgres\/schema\.prisma is valid/);
      await prismaOk(['generate'], url);
      assert.ok(fs.existsSync(path.join(work, 'server', 'store', 'generated-postgres', 'client.ts')), 'PostgreSQL client missing');
    });

    await t.test('migrate dev --name init (shadow database created and dropped)', async () => {
      await prismaOk(['migrate', 'dev', '--name', 'init'], url);
      const dirs = migrationDirs(migrationsDir);
      assert.equal(dirs.length, 1);
      assert.match(fs.readFileSync(path.join(migrationsDir, dirs[0], 'migration.sql'), 'utf8'), /CREATE TABLE "User"/);
      assert.match(fs.readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8'), /provider = "postgresql"/);
      assertHasTables(await pgTables(url), [...MODEL_TABLES, '_prisma_migrations']);
      assert.deepEqual(await pgMigrations(url), dirs);
      const shadows = await pgQuery(url, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow%'");
      assert.deepEqual(shadows, [], 'shadow database left behind');
    });

    await t.test('migrate status says up to date', async () => {
      assert.match(await prismaOk(['migrate', 'status'], url), /Database schema is up to date/);
    });

    await t.test('migrate dev on a fresh database with an existing history applies it, then finds nothing new', async () => {
      const fresh = dbUrl('fresh_dev');
      assert.match(await prismaOk(['migrate', 'dev', '--name', 'nothing_new'], fresh), /in sync/);
      assert.equal(migrationDirs(migrationsDir).length, 1, 'no new migration expected');
      assert.deepEqual(await pgMigrations(fresh), migrationDirs(migrationsDir));
    });

    await t.test('migrate dev with a semicolon inside the script (a default value)', async () => {
      const schemaFile = path.join(work, 'prisma', 'postgres', 'schema.prisma');
      const schema = fs.readFileSync(schemaFile, 'utf8');
      const changed = schema.replace(/(\n\s*displayName\s+)String\?/, '$1String? @default("a;b")');
      assert.notEqual(changed, schema, 'the test expects User.displayName String? in the schema');
      fs.writeFileSync(schemaFile, changed);
      try {
        await prismaOk(['migrate', 'dev', '--name', 'semicolon_default'], url);
      } finally {
        fs.writeFileSync(schemaFile, schema);
      }
      const dirs = migrationDirs(migrationsDir);
      assert.equal(dirs.length, 2);
      assert.deepEqual(await pgMigrations(url), dirs);
      const [col] = await pgQuery<{ column_default: string }>(url, "SELECT column_default FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'displayName'");
      assert.match(col.column_default, /'a;b'/);
      // Back to the schema as committed, so that later steps compare like with like.
      await prismaOk(['migrate', 'dev', '--name', 'semicolon_default_undone'], url);
      assert.equal(migrationDirs(migrationsDir).length, 3);
    });

    await t.test('migrate deploy on a fresh database (created by the CLI)', async () => {
      const fresh = dbUrl('fresh');
      assert.match(await prismaOk(['migrate', 'deploy'], fresh), /successfully applied/);
      assertHasTables(await pgTables(fresh), [...MODEL_TABLES, '_prisma_migrations']);
      assert.deepEqual(await pgMigrations(fresh), migrationDirs(migrationsDir));
    });

    await t.test('migrate reset --force empties and re-applies', async () => {
      await pgQuery(url, `INSERT INTO "User" (id, aor) VALUES ('u1', 'sip:alice@example.com')`);
      await prismaOk(['migrate', 'reset', '--force'], url);
      assert.deepEqual(await pgQuery(url, 'SELECT id FROM "User"'), []);
      assert.deepEqual(await pgMigrations(url), migrationDirs(migrationsDir));
    });

    await t.test('migrate diff --from-empty --to-schema --script', async () => {
      const out = await prismaOk(['migrate', 'diff', '--from-empty', '--to-schema', 'prisma/postgres/schema.prisma', '--script'], url);
      assert.match(out, /CREATE TABLE "Registration"/);
      assert.match(out, /TIMESTAMP\(3\)/);
    });

    await t.test('db push on a fresh database', async () => {
      const pushed = dbUrl('pushed');
      assert.match(await prismaOk(['db', 'push'], pushed), /in sync/);
      const tables = await pgTables(pushed);
      assertHasTables(tables, MODEL_TABLES);
      assert.ok(!tables.includes('_prisma_migrations'), 'db push keeps no migration history');
    });

    await t.test("the repository's PostgreSQL migrations produce prisma/postgres/schema.prisma", async () => {
      await assertCommittedMigrationsMatch(path.join(ROOT, 'prisma', 'postgres', 'migrations'), 'prisma/postgres/schema.prisma', url);
    });

    await t.test('openPrismaClient opens the PostgreSQL client', async () => {
      const { openPrismaClient } = await import(pathToFileURL(path.join(work, 'server', 'store', 'open-client.ts')).href);
      const opened = await openPrismaClient(url);
      try {
        assert.equal(opened.provider, 'postgresql');
        const user = await opened.client.user.create({ data: { aor: 'sip:carol@example.com' } });
        await opened.client.decision.create({
          data: { seq: 1, at: new Date(), userId: user.id, procedure: 'BYE', branch: 'BYE-1', outcome: 'FORWARD', summary: 's', inputs: '{}' },
        });
        const d = await opened.client.decision.findFirst({ include: { user: true } });
        assert.equal(d?.user?.aor, 'sip:carol@example.com');
      } finally {
        await opened.close();
      }
    });
  } finally {
    await server.stop();
  }
  assert.ok(!fs.existsSync(server.dir), 'throwaway PostgreSQL folder not removed');
});
