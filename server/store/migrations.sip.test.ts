// The start-time migrator (D-002) and the Prisma CLI agree on the repository's migrations, on
// SQLite and PostgreSQL; two PF instances starting together migrate once; and `prisma migrate
// dev` works offline on top of the repository's history (a developer's next schema change).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, POSTGRES_MIGRATIONS_DIR, SQLITE_MIGRATIONS_DIR } from './database';
import { readMigrations } from './migrate';
import { databaseTargets } from './test-databases';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');

function prisma(args: string[], url: string, cwd = ROOT): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1' };
  delete env.PRISMA_SCHEMA_ENGINE_BINARY; // prisma.config.ts of `cwd` picks its own shim
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function prismaOk(args: string[], url: string, cwd = ROOT): Promise<string> {
  const r = await prisma(args, url, cwd);
  assert.equal(r.code, 0, `prisma ${args.join(' ')} failed:\n${r.out}`);
  return r.out;
}

/** A copy of the project's Prisma files (schemas, migrations, config, shim) to change freely. */
function projectCopy(): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'store-migrations-'));
  fs.cpSync(path.join(ROOT, 'prisma'), path.join(work, 'prisma'), { recursive: true });
  fs.mkdirSync(path.join(work, 'scripts'));
  for (const f of ['prisma-schema-engine.mjs', 'prisma-sync-postgres.mjs']) fs.copyFileSync(path.join(ROOT, 'scripts', f), path.join(work, 'scripts', f));
  for (const f of ['prisma.config.ts', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(work, f));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  return work;
}

const migrationDirs = (dir: string) => readMigrations(dir).map((m) => m.name);

for (const target of databaseTargets()) {
  const dir = target.provider === 'sqlite' ? SQLITE_MIGRATIONS_DIR : POSTGRES_MIGRATIONS_DIR;
  const schema = target.provider === 'sqlite' ? 'prisma/schema.prisma' : 'prisma/postgres/schema.prisma';

  describe(`migrations on ${target.provider}`, () => {
    test('D-002 openDatabase applies every migration once; prisma migrate status agrees; no drift from the schema', async () => {
      const url = await target.freshUrl();
      const first = await openDatabase(url);
      await first.close();
      assert.deepEqual(first.applied, migrationDirs(dir));
      assert.ok(first.applied.length >= 4);
      const second = await openDatabase(url);
      await second.close();
      assert.deepEqual(second.applied, []);
      assert.match(await prismaOk(['migrate', 'status'], url), /Database schema is up to date/);
      assert.match(await prismaOk(['migrate', 'diff', '--from-config-datasource', '--to-schema', schema, '--script'], url), /This is an empty migration/);
    });

    test('after prisma migrate deploy, openDatabase finds nothing to apply (same names and checksums)', async () => {
      const url = await target.freshUrl();
      assert.match(await prismaOk(['migrate', 'deploy'], url), /successfully applied/);
      const o = await openDatabase(url);
      try {
        assert.deepEqual(o.applied, []);
        const rows = await o.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>('SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name');
        assert.deepEqual(rows.map((r) => [r.migration_name, r.checksum]), readMigrations(dir).map((m) => [m.name, m.checksum]));
      } finally {
        await o.close();
      }
    });

    test('a failing migration is not recorded and stops the open with its own error', async () => {
      const url = await target.freshUrl();
      const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-migrations-'));
      try {
        fs.cpSync(dir, broken, { recursive: true });
        const bad = path.join(broken, '99990101000000_broken');
        fs.mkdirSync(bad);
        fs.writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE "Half" ("id" TEXT);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n');
        await assert.rejects(openDatabase(url, { migrationsDir: broken }), /NoSuchTable/);
        const o = await openDatabase(url);
        try {
          const names = (await o.prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM "_prisma_migrations"')).map((r) => r.migration_name);
          assert.ok(!names.includes('99990101000000_broken'));
          // the migration ran in one transaction: its first statement was rolled back too
          const half = target.provider === 'sqlite'
            ? await o.prisma.$queryRawUnsafe<unknown[]>(`SELECT name FROM sqlite_master WHERE name = 'Half'`)
            : await o.prisma.$queryRawUnsafe<unknown[]>(`SELECT tablename FROM pg_tables WHERE tablename = 'Half'`);
          assert.deepEqual(half, []);
        } finally {
          await o.close();
        }
      } finally {
        fs.rmSync(broken, { recursive: true, force: true });
      }
    });

    if (target.provider === 'postgresql') {
      test('two instances starting together against one database migrate once', async () => {
        const url = await target.freshUrl();
        const opened = await Promise.all([openDatabase(url), openDatabase(url), openDatabase(url)]);
        await Promise.all(opened.map((o) => o.close()));
        assert.deepEqual(opened.flatMap((o) => o.applied).sort(), migrationDirs(dir));
      });
    }

    test('prisma migrate dev on top of the repository history, on a fresh database, adds one migration and applies it', async () => {
      const work = projectCopy();
      try {
        const file = path.join(work, 'prisma', 'schema.prisma');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/(\n\s*displayName\s+String\?)/, '$1\n  nickname String?'));
        let url: string;
        if (target.provider === 'sqlite') url = `file:${path.join(work, 'dev.db')}`;
        else {
          url = await target.freshUrl();
          const sync = await new Promise<number | null>((resolve) => spawn(process.execPath, ['scripts/prisma-sync-postgres.mjs'], { cwd: work, stdio: 'ignore' }).once('exit', resolve));
          assert.equal(sync, 0);
        }
        const migrations = path.join(work, target.provider === 'sqlite' ? 'prisma/migrations' : 'prisma/postgres/migrations');
        const before = migrationDirs(migrations);
        await prismaOk(['migrate', 'dev', '--name', 'add_nickname'], url, work);
        const added = migrationDirs(migrations).filter((m) => !before.includes(m));
        assert.equal(added.length, 1, `expected one new migration, got ${added.join(', ')}`);
        assert.match(added[0], /^\d{14}_add_nickname$/);
        assert.match(fs.readFileSync(path.join(migrations, added[0], 'migration.sql'), 'utf8'), /ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);
        assert.match(await prismaOk(['migrate', 'status'], url, work), /Database schema is up to date/);
        // and our start-time migrator accepts the result as current
        const o = await openDatabase(url, { migrationsDir: migrations });
        try {
          assert.deepEqual(o.applied, []);
          const cols = target.provider === 'sqlite'
            ? (await o.prisma.$queryRawUnsafe<{ name: string }[]>(`PRAGMA table_info("User")`)).map((c) => c.name)
            : (await o.prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'User'`)).map((c) => c.name);
          assert.ok(cols.includes('nickname'));
        } finally {
          await o.close();
        }
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  });
}
