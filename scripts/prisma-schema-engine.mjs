#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, which the Prisma 7 CLI would download
// from a host this environment cannot reach. prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY
// here. We speak the binary's protocol (argv, JSON-RPC lines on stdin/stdout, JSON log lines on
// stderr) and run the WebAssembly schema engine from npm over Prisma's driver adapters.
// Seven defects of that engine/adapter pairing are worked around; each is marked "Work-around N"
// (1-5 numbered as in ENVIRONMENT.md, 6-7 found while building this). Plain JS so the CLI can
// spawn it without a build step; heavy modules are imported lazily so `--version` and the `cli`
// sub-commands start fast.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const WASM_PKG = '@prisma/schema-engine-wasm';

// ---------------------------------------------------------------------------------------------
// Command line (the flags the CLI passes to the native binary)

function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--version' || a === '-V') out.version = true;
    else if (a === '--datamodels' || a === '-d') out.datamodels.push(argv[++i]);
    else if (a === '--datasource') out.datasource = JSON.parse(argv[++i]);
    else if (a === '--enabled-preview-features' || a === '--extension-types') i++; // not used by the Wasm engine
    else if (a === 'cli') {
      out.cli = argv[i + 1];
      break;
    }
  }
  return out;
}

function engineVersion() {
  // The package version ends with the engine commit hash; reading it avoids loading the Wasm.
  try {
    const pkgFile = new URL('package.json', import.meta.resolve(`${WASM_PKG}/schema_engine_bg`));
    const { version } = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    return version.split('.').pop() ?? version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Logging: the CLI reads stderr as JSON lines ({level, fields:{message, error_code}, target}).

function logLine(level, message, extra = {}) {
  const entry = { timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: 'schema_engine::logger' };
  process.stderr.write(JSON.stringify(entry) + '\n');
}

const debugEnabled = /schema-?engine|shim|\*/i.test(process.env.DEBUG ?? '') || !!process.env.PRISMA_SHIM_DEBUG;
function debug(...args) {
  if (debugEnabled) process.stderr.write(`[shim] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
}

class UserFacingError extends Error {
  constructor(code, message, meta = {}) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}

// ---------------------------------------------------------------------------------------------
// Datasource URLs

function providerOf(url) {
  if (/^file:/i.test(url)) return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  throw new UserFacingError('P1013', `The provided database string is invalid. Only file: (SQLite) and postgresql:// URLs are supported by this engine shim.`);
}

function providerOfSchemas(files) {
  for (const [, content] of files) {
    const m = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"([^"]+)"/s.exec(content);
    if (m) return m[1] === 'postgres' ? 'postgresql' : m[1];
  }
  return undefined;
}

// Relative SQLite paths are resolved against our cwd, which the CLI sets to the config's folder.
function sqlitePath(url) {
  const raw = url.replace(/^file:(\/\/)?/i, '').replace(/\?.*$/, '');
  if (raw === ':memory:') return raw;
  return path.resolve(process.cwd(), decodeURIComponent(raw));
}

function pgParts(url) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  const schema = u.searchParams.get('schema') ?? undefined;
  // Prisma-only parameters that pg would otherwise pass to the server as startup options.
  for (const p of ['schema', 'connection_limit', 'pool_timeout', 'connect_timeout', 'socket_timeout', 'pgbouncer', 'statement_cache_size']) u.searchParams.delete(p);
  const withDb = (db) => {
    const c = new URL(u);
    c.pathname = `/${encodeURIComponent(db)}`;
    return c.toString();
  };
  return { connectionString: u.toString(), database, schema, location: `${u.hostname}:${u.port || 5432}`, withDb };
}

const quoteIdent = (s) => `"${String(s).replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------
// Driver adapters, with the work-arounds

const MULTI_STATEMENT = /more than one statement/i;

function errorText(e) {
  return `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
}

// Work-around 2: the engine sends whole multi-statement scripts through executeRaw, which
// better-sqlite3 refuses. Both the connection and its transactions expose the same `client`.
function patchSqliteQueryable(q) {
  const executeRaw = q.executeRaw.bind(q);
  const queryRaw = q.queryRaw.bind(q);
  q.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (e) {
      if (query.args.length === 0 && MULTI_STATEMENT.test(errorText(e))) {
        debug('executeRaw: multi-statement script, running it with exec()');
        runSqliteScript(q.client, query.sql);
        return 0;
      }
      throw e;
    }
  };
  q.queryRaw = async (query) => {
    try {
      return await queryRaw(query);
    } catch (e) {
      if (query.args.length === 0 && MULTI_STATEMENT.test(errorText(e))) {
        runSqliteScript(q.client, query.sql);
        return { columnNames: [], columnTypes: [], rows: [] };
      }
      throw e;
    }
  };
  if (typeof q.startTransaction === 'function') {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (...args) => patchSqliteQueryable(await startTransaction(...args));
  }
  return q;
}

function runSqliteScript(client, sql) {
  try {
    client.exec(sql);
  } catch (e) {
    // Keep the adapter's error shape so the engine reports it like any other SQLite error.
    throw Object.assign(new Error(e.message), { name: 'DriverAdapterError', cause: { kind: 'sqlite', extendedCode: 1, message: e.message } });
  }
}

async function sqliteFactory(url, shadowDatabaseUrl) {
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const file = sqlitePath(url);
  const options = shadowDatabaseUrl ? { shadowDatabaseUrl: sqlitePath(shadowDatabaseUrl) } : undefined;
  const inner = new PrismaBetterSqlite3({ url: file }, options);
  const opened = [];
  return {
    provider: 'sqlite',
    adapterName: inner.adapterName,
    file,
    opened,
    connect: async () => {
      const a = patchSqliteQueryable(await inner.connect());
      opened.push(a);
      return a;
    },
    connectToShadowDb: async () => patchSqliteQueryable(await inner.connectToShadowDb()),
  };
}

// Work-around 4: adapter-pg cannot map some catalog types the engine reads while describing a
// database ("char" and friends); they are all text on the wire, so call them text (OID 25).
const PG_CATALOG_OIDS = new Set([18, 24, 194, 1033, 2205, 2206]);
let pgModule;
async function loadPg() {
  if (pgModule) return pgModule;
  const pg = (await import('pg')).default;
  const fixFields = (res) => {
    for (const r of Array.isArray(res) ? res : [res]) {
      for (const f of r?.fields ?? []) if (PG_CATALOG_OIDS.has(f.dataTypeID)) f.dataTypeID = 25;
    }
    return res;
  };
  class CatalogTolerantClient extends pg.Client {
    // pg.Pool#query calls this with a callback; adapter-pg's transactions use the promise form.
    query(config, values, callback) {
      const wrap = (cb) => (err, res) => cb(err, err ? res : fixFields(res));
      if (typeof values === 'function') return super.query(config, wrap(values));
      if (typeof callback === 'function') return super.query(config, values, wrap(callback));
      const r = super.query(config, values);
      return r && typeof r.then === 'function' ? r.then(fixFields) : r;
    }
  }
  pgModule = { pg, Client: CatalogTolerantClient };
  return pgModule;
}

// Work-around 6 (not in ENVIRONMENT.md's list): adapter-pg's executeScript splits the script on
// every `;`, so a migration with a semicolon in a string (a default value, a comment, a function
// body) breaks. PostgreSQL's simple query protocol takes the whole script at once, as the
// native engine sends it.
function patchPgScript(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.client.query(script);
    } catch (e) {
      adapter.onError(e);
    }
  };
  return adapter;
}

async function pgFactory(url, shadowDatabaseUrl) {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { Client } = await loadPg();
  const main = pgParts(url);
  const adapterOptions = main.schema ? { schema: main.schema } : undefined;
  const poolConfig = (p) => ({
    connectionString: p.connectionString,
    Client,
    max: 2,
    ...(p.schema ? { options: `-c search_path=${quoteIdent(p.schema)}` } : {}),
  });
  const inner = new PrismaPg(poolConfig(main), adapterOptions);
  const opened = [];
  return {
    provider: 'postgres',
    adapterName: inner.adapterName,
    opened,
    connect: async () => {
      const a = patchPgScript(await inner.connect());
      opened.push(a);
      return a;
    },
    // Work-around 5: adapter-pg's shadow database is broken twice over: its pool for the shadow
    // database keeps our connection string, which wins over the database name, so the "shadow"
    // is the main database; and it drops the shadow database while that pool still holds
    // connections. We create it, connect to it by URL, and on dispose end the pool first.
    // Shadows are also listed in `opened`, so a session that ends early still drops them.
    connectToShadowDb: async () => {
      if (shadowDatabaseUrl) {
        const sp = pgParts(shadowDatabaseUrl);
        return patchPgScript(await new PrismaPg(poolConfig(sp), sp.schema ? { schema: sp.schema } : undefined).connect());
      }
      const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
      const admin = await inner.connect();
      await admin.executeScript(`CREATE DATABASE ${quoteIdent(name)}`);
      const shadow = patchPgScript(await new PrismaPg(poolConfig({ ...main, connectionString: main.withDb(name) }), adapterOptions).connect());
      const dispose = shadow.dispose.bind(shadow);
      let disposed;
      shadow.dispose = () =>
        (disposed ??= (async () => {
          await dispose();
          try {
            await admin.executeScript(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
          } finally {
            await admin.dispose();
          }
        })());
      opened.push(shadow);
      return shadow;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The Wasm engine

// What the engine itself creates on SQLite (checked against a table it made).
const MIGRATIONS_TABLE_SQLITE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

async function loadWasmEngine() {
  const bgUrl = import.meta.resolve(`${WASM_PKG}/schema_engine_bg`);
  const bg = await import(bgUrl);
  const bytes = fs.readFileSync(new URL('schema_engine_bg.wasm', bgUrl));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  return bg;
}

class Session {
  constructor(args) {
    this.args = args;
    this.datamodels = args.datamodels.map((p) => [p, fs.readFileSync(p, 'utf8')]);
    this.url = args.datasource?.url;
    this.provider = this.url ? providerOf(this.url) : providerOfSchemas(this.datamodels) ?? 'sqlite';
    this.engine = undefined;
    this.factory = undefined;
  }

  async open() {
    if (this.engine) return this.engine;
    const [{ bindMigrationAwareSqlAdapterFactory }, bg] = await Promise.all([import('@prisma/driver-adapter-utils'), loadWasmEngine()]);
    const shadowUrl = this.args.datasource?.shadowDatabaseUrl;
    if (this.provider === 'sqlite') {
      // Without a datasource (e.g. `migrate diff --from-empty --to-schema`), an in-memory database will do.
      this.factory = await sqliteFactory(this.url ?? 'file::memory:', shadowUrl);
    } else if (this.provider === 'postgresql') {
      if (!this.url) throw new UserFacingError('P1012', 'A PostgreSQL datasource URL is required (set DATABASE_URL).');
      this.factory = await pgFactory(this.url, shadowUrl);
    } else {
      throw new UserFacingError('P1012', `Provider "${this.provider}" is not supported by this engine shim.`);
    }
    const bound = bindMigrationAwareSqlAdapterFactory(this.factory);
    this.errorRegistry = bound.errorRegistry;
    const options = { datamodels: this.datamodels.length ? this.datamodels : undefined };
    this.engine = await bg.SchemaEngine.new(options, (log) => debug('engine:', log), bound);
    return this.engine;
  }

  async close() {
    try {
      this.engine?.free();
    } catch {}
    this.engine = undefined;
    for (const a of this.factory?.opened ?? []) {
      try {
        await a.dispose();
      } catch {}
    }
  }

  async call(method, params) {
    const engine = await this.open();
    switch (method) {
      case 'getDatabaseVersion':
        return engine.version(params ?? null);
      case 'getDatabaseDescription':
        throw new UserFacingError('P1012', 'getDatabaseDescription is not supported by the Wasm schema engine.');
      case 'reset':
        return this.reset(engine, params);
      case 'diff':
        return this.diff(engine, params);
      case 'diagnoseMigrationHistory':
      case 'devDiagnostic':
      case 'markMigrationApplied':
      case 'markMigrationRolledBack':
      case 'evaluateDataLoss':
      case 'createMigration':
        return this.withHistoryCache(engine, method, params);
      default:
        if (typeof engine[method] !== 'function') throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
        return engine[method](params);
    }
  }

  // Work-around 1: on SQLite, with no `_prisma_migrations` table yet, the engine fails with
  // P1014 instead of treating the history as empty. Create the (empty) table and ask again.
  // Diagnostics must not change the database, so for them the table is dropped again and the
  // answer says it was missing; commands that write history keep it, as the native engine would.
  // (Applying an empty migration list would also create it, but refuses a non-empty schema.)
  async withMigrationsTable(engine, method, params) {
    try {
      return await engine[method](params);
    } catch (e) {
      // Only the migrations table: a P1014 about any other table is a real error (e.g. a failing migration).
      if (this.provider !== 'sqlite' || e?.code !== 'P1014' || !String(e?.message).includes('_prisma_migrations')) throw e;
      debug(`${method}: P1014, creating the migrations table and retrying`);
      const db = await this.sqliteDb();
      db.exec(MIGRATIONS_TABLE_SQLITE);
      const readOnly = method === 'diagnoseMigrationHistory' || method === 'devDiagnostic' || method === 'evaluateDataLoss';
      try {
        const result = await engine[method](params);
        if (readOnly && method === 'diagnoseMigrationHistory') result.hasMigrationsTable = false;
        return result;
      } finally {
        if (readOnly) db.exec('DROP TABLE IF EXISTS "_prisma_migrations"');
      }
    }
  }

  // Work-around 7: the Wasm engine gives evaluateDataLoss and createMigration no shadow database;
  // they only read the schema of the migration history from a cache that devDiagnostic fills.
  // When devDiagnostic had pending migrations to report (a database behind its history), it
  // leaves the cache empty and both fail with "<provider> shadow DB must be provided through an
  // external factory". diagnoseMigrationHistory with the shadow database allowed computes that
  // schema through the adapter's shadow database and fills the cache; then ask again.
  async withHistoryCache(engine, method, params) {
    try {
      return await this.withMigrationsTable(engine, method, params);
    } catch (e) {
      if (!/shadow DB must be provided through an external factory/.test(String(e?.message ?? e))) throw e;
      debug(`${method}: migration history not cached, computing it on the shadow database`);
      await this.withMigrationsTable(engine, 'diagnoseMigrationHistory', {
        migrationsList: params.migrationsList,
        optInToShadowDatabase: true,
        filters: params.filters ?? { externalTables: [], externalEnums: [] },
      });
      return this.withMigrationsTable(engine, method, params);
    }
  }

  // The engine's own connection: it may hold SQLite's lock (locking_mode=EXCLUSIVE), so a
  // second connection could be refused.
  async sqliteDb() {
    const a = this.factory.opened.find((x) => x.client.open) ?? (await this.factory.connect());
    return a.client;
  }

  // Work-around 3: on SQLite the engine's reset runs an empty DROP script; drop things ourselves.
  // Dropping tables leaves `sqlite_sequence` (made by AUTOINCREMENT, which Prisma emits for Int
  // ids) and the engine then calls the schema non-empty (P3005), so without external tables
  // we empty the schema table itself, as SQLite's own reset recipe does, and VACUUM.
  async reset(engine, params) {
    if (this.provider !== 'sqlite') return engine.reset(params);
    await engine.reset(params).catch((e) => debug('engine reset failed, dropping by hand:', String(e?.message ?? e)));
    const db = await this.sqliteDb();
    const external = new Set(params?.filter?.externalTables ?? []);
    const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('view','trigger','table') AND name NOT LIKE 'sqlite_%'").all();
    const order = { trigger: 0, view: 1, table: 2 };
    objects.sort((a, b) => order[a.type] - order[b.type]);
    const stmts = [];
    for (const { type, name } of objects) {
      if (type === 'table' && external.has(name)) continue;
      stmts.push(`DROP ${type.toUpperCase()} IF EXISTS ${quoteIdent(name)};`);
    }
    db.exec(`PRAGMA foreign_keys = OFF;\n${stmts.join('\n')}\nPRAGMA foreign_keys = ON;`);
    if (external.size === 0) {
      // better-sqlite3's defensive mode forbids writable_schema; unsafe mode lifts it briefly.
      db.unsafeMode(true);
      try {
        db.exec('PRAGMA writable_schema = 1; DELETE FROM sqlite_master; PRAGMA writable_schema = 0;');
      } finally {
        db.unsafeMode(false);
      }
      db.exec('VACUUM');
    } else if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) {
      const keep = [...external];
      db.prepare(`DELETE FROM sqlite_sequence WHERE name NOT IN (${keep.map(() => '?').join(',')})`).run(...keep);
    }
    return {};
  }

  // The native engine prints the diff through a `print` request to the CLI (which captures it
  // for --output); the Wasm engine returns it instead.
  async diff(engine, params) {
    const { stdout, ...rest } = await engine.diff(params);
    if (stdout) await this.print(stdout.replace(/\n$/, ''));
    return { ...rest, stdout: null };
  }
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC over stdin/stdout

function toRpcError(e, session) {
  const registered = typeof e?.id === 'number' ? session?.errorRegistry?.consumeError?.(e.id)?.error : undefined;
  const err = registered ?? e;
  if (err?.rpcCode) return { code: err.rpcCode, message: err.message };
  // A Rust panic inside the Wasm surfaces as a RuntimeError ("unreachable") after "panicked at" logs.
  const isPanic = err instanceof WebAssembly.RuntimeError || /panicked at/.test(err?.message ?? '');
  const data = { is_panic: isPanic, message: String(err?.message ?? err) };
  if (err?.code && /^P\d{4}$/.test(err.code)) {
    data.error_code = err.code;
    data.meta = err.meta ?? null;
  } else if (err?.cause && typeof err.cause === 'object') {
    data.message = `${err.cause.message ?? err.message}${err.cause.kind ? ` (${err.cause.kind})` : ''}`;
  }
  return { code: 4466, message: 'An error happened. Check the data field for details.', data };
}

async function serveRpc(args) {
  const session = new Session(args);
  let nextOutgoing = 1;
  const pendingPrints = new Map();
  const send = (msg) => process.stdout.write(JSON.stringify(msg) + '\n');
  session.print = (content) =>
    new Promise((resolve) => {
      const id = `shim-print-${nextOutgoing++}`;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  // One request at a time: the engine instance is not re-entrant.
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (msg.method === undefined && pendingPrints.has(msg.id)) {
      pendingPrints.get(msg.id)();
      pendingPrints.delete(msg.id);
      return;
    }
    queue = queue.then(async () => {
      debug('->', msg.method);
      try {
        const result = await session.call(msg.method, msg.params);
        send({ jsonrpc: '2.0', id: msg.id, result: result ?? null });
      } catch (e) {
        debug('<- error', String(e?.stack ?? e));
        const error = toRpcError(e, session);
        if (error.data?.error_code) logLine('ERROR', error.data.message, { error_code: error.data.error_code });
        send({ jsonrpc: '2.0', id: msg.id, error });
      }
    });
  });
  // The CLI closes our stdin when done and sends SIGTERM right after: either way, close the
  // database connections properly (SQLite then removes its journal) before leaving.
  let closing;
  const shutdown = () => {
    closing ??= Promise.race([queue, new Promise((r) => setTimeout(r, 2000).unref())])
      .then(() => session.close())
      .finally(() => process.exit(0));
    return closing;
  };
  rl.on('close', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// ---------------------------------------------------------------------------------------------
// `cli <command>` sub-commands: exit 0 on success; on failure an ERROR log line with the
// Prisma error code (the CLI skips the first stderr line, hence the leading INFO line).

async function pgAdminQuery(connectionString, sql) {
  const { pg } = await loadPg();
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

function pgUserError(e, parts) {
  switch (e?.code) {
    case '3D000':
      return new UserFacingError('P1003', `Database \`${parts.database}\` does not exist on the database server at \`${parts.location}\`.`);
    case '28P01':
    case '28000':
      return new UserFacingError('P1000', `Authentication failed against database server at \`${parts.location}\`, the provided database credentials are not valid.`);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return new UserFacingError('P1001', `Can't reach database server at \`${parts.location}\``);
    default:
      return e;
  }
}

async function runCliCommand(args) {
  const url = args.datasource?.url;
  if (!url) throw new UserFacingError('P1012', 'No datasource URL was given.');
  const provider = providerOf(url);
  const command = args.cli;
  if (provider === 'sqlite') {
    const file = sqlitePath(url);
    if (command === 'can-connect-to-database') {
      if (file !== ':memory:' && !fs.existsSync(file)) throw new UserFacingError('P1003', `Database \`${path.basename(file)}\` does not exist at \`${file}\``);
      return;
    }
    if (command === 'create-database') {
      if (file === ':memory:') return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const Database = (await import('better-sqlite3')).default;
      new Database(file).close();
      process.stdout.write(JSON.stringify({ databaseName: path.basename(file) }) + '\n');
      return;
    }
    if (command === 'drop-database') {
      for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
      return;
    }
  } else {
    const parts = pgParts(url);
    try {
      if (command === 'can-connect-to-database') return void (await pgAdminQuery(parts.connectionString, 'SELECT 1'));
      if (command === 'create-database') {
        await pgAdminQuery(parts.withDb('postgres'), `CREATE DATABASE ${quoteIdent(parts.database)}`);
        process.stdout.write(JSON.stringify({ databaseName: parts.database }) + '\n');
        return;
      }
      if (command === 'drop-database') return void (await pgAdminQuery(parts.withDb('postgres'), `DROP DATABASE IF EXISTS ${quoteIdent(parts.database)}`));
    } catch (e) {
      throw pgUserError(e, parts);
    }
  }
  throw new UserFacingError('P1012', `Unknown cli command: ${command}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${engineVersion()}\n`);
    return;
  }
  if (args.cli) {
    logLine('INFO', `schema engine shim: cli ${args.cli}`);
    try {
      await runCliCommand(args);
      process.exit(0);
    } catch (e) {
      logLine('ERROR', String(e?.message ?? e), e?.code && /^P\d{4}$/.test(e.code) ? { error_code: e.code } : {});
      process.exit(1);
    }
  }
  await serveRpc(args);
}

main().catch((e) => {
  logLine('ERROR', String(e?.stack ?? e));
  process.exit(1);
});
