// Opens a Prisma client for a DATABASE_URL: file: -> SQLite, postgres(ql):// -> PostgreSQL.
// Each provider has its own generated client (a client's query compiler emits one SQL dialect,
// and Prisma refuses an adapter of another provider): ./generated from prisma/schema.prisma and
// ./generated-postgres from prisma/postgres/schema.prisma. Both expose the same models; callers
// see the SQLite client's type. This only opens the client; migrations are applied elsewhere.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from './generated/client';

const SQLITE_BUSY_TIMEOUT_MS = 250;

export type StoreProvider = 'sqlite' | 'postgresql';

export interface OpenedPrismaClient {
  client: PrismaClient;
  provider: StoreProvider;
  /** calls `listener` with the duration (ms) of every query the client runs (the metrics' DB latency) */
  onQuery(listener: (ms: number) => void): void;
  close(): Promise<void>;
}

// Prisma emits a `query` event with each query's duration when asked to (log level `query`, as events).
const QUERY_EVENTS = [{ level: 'query', emit: 'event' }] as const;

function queryListeners(client: PrismaClient): OpenedPrismaClient['onQuery'] {
  const listeners: Array<(ms: number) => void> = [];
  (client as unknown as { $on(e: 'query', f: (q: { duration: number }) => void): void }).$on('query', (q) => {
    for (const l of listeners) l(q.duration);
  });
  return (l) => void listeners.push(l);
}

// Held in a variable so that type-checking does not require the PostgreSQL client to be generated.
const POSTGRES_CLIENT_MODULE = './generated-postgres/client';

export function storeProviderFor(url: string): StoreProvider {
  if (/^file:/i.test(url)) return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  throw new Error(`unsupported DATABASE_URL scheme (want file: or postgresql://): ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
}

/** Absolute path of a file: URL; relative paths are taken from the working directory. */
export function sqliteFileOf(url: string): string {
  const raw = decodeURIComponent(url.replace(/^file:(\/\/)?/i, '').replace(/\?.*$/, ''));
  return raw === ':memory:' ? raw : path.resolve(raw);
}

export interface OpenClientOptions {
  /**
   * SQLite only: how long a statement waits for another connection's lock. The PF keeps the
   * default; a tool writing beside a running PF (a test seeding data, a benchmark) may wait longer.
   */
  busyTimeoutMs?: number;
}

export async function openPrismaClient(url: string, opts: OpenClientOptions = {}): Promise<OpenedPrismaClient> {
  const provider = storeProviderFor(url);
  return provider === 'sqlite' ? openSqlite(url, opts.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS) : openPostgres(url);
}

async function openSqlite(url: string, busyTimeoutMs: number): Promise<OpenedPrismaClient> {
  const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('./generated/client'),
    import('@prisma/adapter-better-sqlite3'),
  ]);
  const file = sqliteFileOf(url);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  // `timeout` is better-sqlite3's busy timeout. better-sqlite3 is synchronous: while it waits for
  // another connection's lock the whole event loop waits too, so keep it short and let the caller
  // answer 503 (server/sip/storage-unavailable.ts) rather than freeze every SIP transaction.
  const client = new PrismaClient({ adapter: beginImmediate(new PrismaBetterSqlite3({ url: `file:${file}`, timeout: busyTimeoutMs })), log: [...QUERY_EVENTS] });
  const onQuery = queryListeners(client);
  try {
    // WAL is stored in the file; synchronous is per connection (the adapter holds one).
    // NORMAL in WAL mode loses nothing committed on a process crash, only on power loss.
    const mode = await client.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode = WAL');
    if (mode[0]?.journal_mode?.toLowerCase() !== 'wal' && file !== ':memory:') {
      throw new Error(`could not switch ${file} to WAL (journal_mode=${mode[0]?.journal_mode})`);
    }
    await client.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
    await client.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  } catch (e) {
    await client.$disconnect();
    throw e;
  }
  return { client, provider: 'sqlite', onQuery, close: () => client.$disconnect() };
}

/**
 * Makes every transaction of the adapter's connection begin IMMEDIATE (D-290). The file has a
 * second writer, the decision log's thread (D-250). In WAL mode a transaction that began with a
 * read cannot take the write lock once that writer committed after the read, or while it holds
 * the lock: SQLite fails it at once, without the busy timeout (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY;
 * Prisma says "Operation has timed out"). A transaction that takes the lock at BEGIN waits for it
 * up to the busy timeout instead, and every read in it is current. The adapter (pinned in
 * package.json) begins a transaction with its connection's `prepare("BEGIN")` and has no option
 * for the mode, so that one statement is rewritten; when the adapter no longer has that shape,
 * opening the database fails rather than running with deferred transactions.
 */
function beginImmediate<F extends { connect(): Promise<unknown> }>(factory: F): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const sqlite = (adapter as { client?: { prepare?: (sql: string) => unknown } }).client;
    if (!sqlite || typeof sqlite.prepare !== 'function') throw new Error('the better-sqlite3 adapter has no client.prepare: its transactions cannot be made to begin IMMEDIATE (D-290)');
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = (sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql);
    return adapter;
  };
  return factory;
}

/**
 * What pg is given for a PostgreSQL DATABASE_URL (Prisma's adapter and the decision writer
 * thread, D-337): `?schema=` is Prisma's parameter, not pg's; it becomes the search path (and
 * the adapter's schema).
 */
export function pgConnectionOf(url: string): { connectionString: string; options?: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"`, schema } : {}) };
}

async function openPostgres(url: string): Promise<OpenedPrismaClient> {
  let mod: { PrismaClient: new (options: unknown) => unknown };
  try {
    mod = await import(POSTGRES_CLIENT_MODULE);
  } catch (e) {
    throw new Error(
      'the PostgreSQL Prisma client is not generated: run `node scripts/prisma-sync-postgres.mjs && npx prisma generate --schema prisma/postgres/schema.prisma`',
      { cause: e },
    );
  }
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { schema, ...connection } = pgConnectionOf(url);
  const adapter = new PrismaPg(connection, schema ? { schema } : undefined);
  const client = new mod.PrismaClient({ adapter, log: [...QUERY_EVENTS] }) as PrismaClient;
  const onQuery = queryListeners(client);
  try {
    await client.$queryRawUnsafe('SELECT 1');
  } catch (e) {
    await client.$disconnect().catch(() => {});
    throw e;
  }
  return { client, provider: 'postgresql', onQuery, close: () => client.$disconnect() };
}
