// A second writer on a running PF's SQLite file, as the decision log's thread is (D-250): a worker
// thread with its own connection commits small write transactions back to back, holding the
// write lock a moment each time. The PF's own writes must get through it: a transaction of the
// PF's connection that reads first and writes after fails at once (SQLITE_BUSY or
// SQLITE_BUSY_SNAPSHOT) when this writer committed in between or holds the lock at that moment.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { timeout: 5000 });
db.exec('CREATE TABLE IF NOT EXISTS "TestSecondWriter" ("n" INTEGER NOT NULL)');
db.exec('INSERT INTO "TestSecondWriter" ("n") VALUES (0)');
const bump = db.prepare('UPDATE "TestSecondWriter" SET "n" = "n" + 1');
const stop = new Int32Array(workerData.stop);
const sleep = (ms) => Atomics.wait(stop, 0, 0, ms);
let commits = 0;
parentPort.postMessage({ started: true });
while (Atomics.load(stop, 0) === 0) {
  db.exec('BEGIN IMMEDIATE');
  bump.run();
  sleep(workerData.holdMs);
  db.exec('COMMIT');
  commits++;
  sleep(workerData.gapMs);
}
db.close();
parentPort.postMessage({ commits });
`;

export interface SecondWriter {
  /** stops the writer; resolves with how many transactions it committed */
  stop(): Promise<number>;
}

/**
 * Starts committing to `file` until stopped: each transaction holds the write lock `holdMs`, then
 * the writer pauses `gapMs` (both well under the PF's 250 ms busy timeout).
 */
export async function startSecondWriter(file: string, opts: { holdMs?: number; gapMs?: number } = {}): Promise<SecondWriter> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(WRITER, {
    eval: true,
    workerData: { file, stop, module: createRequire(import.meta.url).resolve('better-sqlite3'), holdMs: opts.holdMs ?? 1, gapMs: opts.gapMs ?? 1 },
  });
  let commits = 0;
  const exited = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { commits?: number }) => {
      if (m.commits !== undefined) commits = m.commits;
    });
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    async stop() {
      Atomics.store(new Int32Array(stop), 0, 1);
      Atomics.notify(new Int32Array(stop), 0);
      await exited;
      return commits;
    },
  };
}
