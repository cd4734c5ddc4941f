#!/usr/bin/env node
// A throwaway PostgreSQL server for tests and for generating PostgreSQL migrations: a fresh
// cluster in its own temporary folder, on 127.0.0.1 and a free port, gone when stopped or when
// this process exits. Several can run at once (other engineers run tests on the same machine).
//
// As a module:  const pg = await startThrowawayPostgres(); ... pg.url ...; await pg.stop();
// As a CLI:     node scripts/pg-throwaway.mjs                 prints the URL, runs until Ctrl-C
//               node scripts/pg-throwaway.mjs -- <command...>  runs the command with DATABASE_URL
//                                                              set, then stops; exits with its code
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-ports.mjs';

const BIN_DIRS = ['/usr/local/bin', '/usr/lib/postgresql/15/bin'];
const READY = /database system is ready to accept connections/;

function findBinary(name) {
  for (const dir of [process.env.PG_BIN_DIR, ...BIN_DIRS].filter(Boolean)) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return name; // rely on PATH
}

// postgres refuses to run as root: when we are root, the server runs as the `postgres` user.
function serverIdentity() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const user = process.env.PG_THROWAWAY_USER ?? 'postgres';
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(cmd, args, opts, onSpawn) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} exited with ${code}:\n${out}`))));
  });
}

// During synchronous cleanup nobody reaps the exited server, and a zombie still answers kill(0):
// on Linux, read its state instead.
function processAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {}
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const live = new Set();
let exitHookInstalled = false;

// Last-chance cleanup when the process exits without calling stop(): only synchronous work is
// possible here, so ask for a fast shutdown and wait a bounded time before removing the folder.
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const inst of live) inst.stopSync();
  });
  // A signal with no handler ends Node without 'exit': clean up, then let the signal do its
  // usual work unless the program handles it itself.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      for (const inst of live) inst.stopSync();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Start a fresh PostgreSQL cluster.
 * @param {{ database?: string, startTimeoutMs?: number, log?: (line: string) => void }} [options]
 * @returns {Promise<{ url: string, adminUrl: string, port: number, dir: string, stop: () => Promise<void> }>}
 */
export async function startThrowawayPostgres(options = {}) {
  const { database, startTimeoutMs = 30_000, log } = options;
  const ident = serverIdentity();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-throwaway-'));
  const dataDir = path.join(dir, 'data');
  if (ident.uid !== undefined) fs.chownSync(dir, ident.uid, ident.gid);
  const spawnOpts = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...ident };

  // Registered before anything starts, so that an exit or a signal during start-up (initdb,
  // postgres coming up) also kills the child and removes the folder.
  const inst = new Instance(dir);
  live.add(inst);
  installExitHook();
  try {
    await run(findBinary('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], spawnOpts, (c) => (inst.child = c));

    // The port is free when we look, but another process may take it before postgres binds:
    // try a few ports.
    let server;
    let lastError;
    for (let attempt = 0; attempt < 5 && !server; attempt++) {
      const port = await freePort();
      try {
        server = await startServer({ dataDir, dir, port, spawnOpts, startTimeoutMs, log, onSpawn: (c) => (inst.child = c) });
      } catch (e) {
        lastError = e;
        if (!/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(String(e.message))) break;
      }
    }
    if (!server) throw lastError;
    inst.port = server.port;

    const adminUrl = `postgresql://postgres@127.0.0.1:${server.port}/postgres`;
    let url = adminUrl;
    if (database && database !== 'postgres') {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: adminUrl });
      try {
        await client.connect();
        await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
      } finally {
        await client.end().catch(() => {});
      }
      url = `postgresql://postgres@127.0.0.1:${server.port}/${encodeURIComponent(database)}`;
    }
    return { url, adminUrl, port: server.port, dir, stop: () => inst.stop() };
  } catch (e) {
    await inst.stop();
    throw e;
  }
}

class Instance {
  constructor(dir) {
    this.dir = dir;
    this.child = undefined; // initdb, then postgres
    this.stopped = undefined;
  }

  removeDir() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  running() {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null && processAlive(c.pid);
  }

  stopSync() {
    if (this.stopped) return;
    this.stopped = Promise.resolve();
    live.delete(this);
    if (this.running()) {
      try {
        process.kill(this.child.pid, 'SIGQUIT'); // immediate shutdown: nothing here needs keeping
      } catch {}
      for (let i = 0; i < 100 && processAlive(this.child.pid); i++) sleepSync(20);
    }
    this.removeDir();
  }

  stop() {
    if (this.stopped) return this.stopped;
    live.delete(this);
    this.stopped = new Promise((resolve) => {
      const child = this.child;
      let timer;
      const finish = () => {
        clearTimeout(timer);
        this.removeDir();
        resolve();
      };
      if (!this.running()) return finish();
      // Fast shutdown; if it hangs, kill it hard rather than block a test run.
      timer = setTimeout(() => {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {}
      }, 10_000);
      timer.unref();
      child.once('exit', finish);
      try {
        child.kill('SIGINT');
      } catch {
        finish();
      }
    });
    return this.stopped;
  }
}

function startServer({ dataDir, dir, port, spawnOpts, startTimeoutMs, log, onSpawn }) {
  return new Promise((resolve, reject) => {
    const args = [
      '-D', dataDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`,
      // Durability is pointless for a throwaway cluster; speed is not.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=40',
      '-c', 'shared_buffers=32MB',
    ];
    const child = spawn(findBinary('postgres'), args, { ...spawnOpts, stdio: ['ignore', 'ignore', 'pipe'] });
    onSpawn?.(child);
    let output = '';
    let settled = false;
    const settle = (fn, v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(v);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(reject, new Error(`postgres did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      if (!settled) output += chunk;
      if (log) for (const line of chunk.split('\n')) if (line) log(line);
      if (READY.test(output)) settle(resolve, { child, port });
    });
    child.once('error', (e) => settle(reject, e));
    child.once('exit', (code, signal) => settle(reject, new Error(`postgres exited (${code ?? signal}) while starting:\n${output}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// CLI

async function cli(argv) {
  const sep = argv.indexOf('--');
  const command = sep >= 0 ? argv.slice(sep + 1) : [];
  const dbArg = argv.find((a) => a.startsWith('--database='));
  const pg = await startThrowawayPostgres({ database: dbArg?.slice('--database='.length) });
  const stopAndExit = async (code) => {
    await pg.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => stopAndExit(130));
  process.on('SIGTERM', () => stopAndExit(143));

  if (command.length === 0) {
    process.stdout.write(pg.url + '\n');
    process.stderr.write(`PostgreSQL running in ${pg.dir}; Ctrl-C or SIGTERM stops it and removes the folder.\n`);
    return;
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, DATABASE_URL: pg.url } });
  child.once('error', (e) => {
    process.stderr.write(`${e.message}\n`);
    stopAndExit(127);
  });
  child.once('exit', (code, signal) => stopAndExit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
}
