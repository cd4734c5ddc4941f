// Test support for store tests: fresh, migrated databases on SQLite (a temporary file) and on a
// throwaway PostgreSQL (one server per test file, one database per test). Call it at the top
// level of a test file: it registers the hook that closes everything when the file ends.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/pg-throwaway.mjs';
import { openDatabase, type Db, type OpenDatabase } from './database';
import type { StoreProvider } from './open-client';
import { SLOTS } from './decision-ids';

export interface FreshDatabase extends OpenDatabase {
  url: string;
  /** creates a served user, returns its id */
  user(aor: string): Promise<string>;
}

export interface DatabaseTarget {
  provider: StoreProvider;
  /** a new, empty, migrated database */
  fresh(): Promise<FreshDatabase>;
  /** a new empty database URL, not migrated */
  freshUrl(): Promise<string>;
}

export function databaseTargets(): DatabaseTarget[] {
  const opened: OpenDatabase[] = [];
  let dir: string | undefined;
  let server: Promise<ThrowawayPostgres> | undefined;
  let n = 0;

  after(async () => {
    await Promise.all(opened.map((o) => o.close().catch(() => {})));
    if (server) await (await server).stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const wrap = async (url: string): Promise<FreshDatabase> => {
    const o = await openDatabase(url);
    opened.push(o);
    const user = async (aor: string) => (await o.prisma.user.create({ data: { aor } })).id;
    return { ...o, url, user };
  };

  const sqliteUrl = async () => {
    dir ??= mkdtempSync(path.join(os.tmpdir(), 'store-test-'));
    return `file:${path.join(dir, `t${++n}.db`)}`;
  };
  const postgresUrl = async () => {
    server ??= startThrowawayPostgres();
    const s = await server;
    const name = `t${++n}`;
    const c = new pg.Client({ connectionString: s.adminUrl });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return s.adminUrl.replace(/\/postgres$/, `/${name}`);
  };

  return [
    { provider: 'sqlite', freshUrl: sqliteUrl, fresh: async () => wrap(await sqliteUrl()) },
    { provider: 'postgresql', freshUrl: postgresUrl, fresh: async () => wrap(await postgresUrl()) },
  ];
}

/** Every decision-id slot (D-230) held by another instance seen at `seenAt`: the decision log then refuses to start (D-329). */
export async function holdEveryDecisionSlot(db: Db, seenAt: Date): Promise<void> {
  await db.decisionSlot.createMany({ data: Array.from({ length: SLOTS }, (_, slot) => ({ instance: `other-${slot}`, slot, seenAt })) });
}

export type { Db };
