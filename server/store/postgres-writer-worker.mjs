// The PostgreSQL decision writer thread's own code (server/store/postgres-writer-thread.ts starts
// it, D-337). Batches are written one after the other, in the order they came, each as INSERTs of
// at most rowsPerStatement rows; each batch is answered with its id once written, or with an
// error text when a statement failed (what came before it in the batch stays, nothing after it is
// written). A pool of one connection: one that breaks (the server restarted, an operator ended the
// backend) is replaced for the next batch, instead of failing every batch after it.
// Plain JavaScript: a worker thread does not get the TypeScript loader of the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { decisionInsert } from './decision-insert-sql.mjs';

const { connectionString, options, rowsPerStatement } = workerData;
// named, so that an operator finds it in pg_stat_activity
const pool = new pg.Pool({ connectionString, ...(options ? { options } : {}), application_name: 'cpm-pf decision writer', max: 1, idleTimeoutMillis: 0 });
// an idle connection that broke: the pool drops it and connects again for the next batch
pool.on('error', () => {});

async function writeAll(rows) {
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const { text, values } = decisionInsert(rows.slice(i, i + rowsPerStatement), 'postgresql');
    await pool.query(text, values);
  }
}

let queue = Promise.resolve();
parentPort.on('message', (m) => {
  if (m === 'close') {
    queue = queue.then(() => pool.end()).catch(() => {}).finally(() => parentPort.close());
    return;
  }
  queue = queue.then(
    () => writeAll(m.rows).then(
      () => parentPort.postMessage({ id: m.id }),
      (e) => parentPort.postMessage({ id: m.id, error: e?.message ?? String(e) }),
    ),
  );
});
