// The SQLite writer thread's own code (server/store/sqlite-writer-thread.ts starts it): it writes
// the decision log's rows (D-250), sessions' rows (D-310, session-rows-sql.mjs) and the engine
// recording's batches (D-312) off the main thread. For decisions: the INSERTs (better-sqlite3 is
// synchronous, and the Decision table has seven indexes) were the largest single cost on the PF's
// main thread under IMDN load (docs/BENCHMARKS.md, D-250).
// Plain JavaScript: a worker thread does not get the TypeScript loader of the main thread.
// One connection of its own to the same file (WAL: readers on the main thread see each batch once
// it is committed); short transactions (see writeAll); each batch answered with its id once all
// of it is committed, or with an error text when a transaction failed (that transaction rolled
// back; what came before it in the batch stays, nothing after it is written). Rows are written
// exactly as DecisionLog's Prisma INSERT writes them (sqlite-writer-thread.sip.test.ts compares them).
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sessionPlansWriter } from './session-rows-sql.mjs';
import { sqliteDateTime } from './sqlite-datetime.mjs';

const COLUMNS = ['id', 'seq', 'instance', 'at', 'userId', 'procedure', 'branch', 'outcome', 'summary', 'messageId', 'disposition', 'callId', 'sessionId', 'inputs'];


const { file, busyTimeoutMs } = workerData;
const db = new Database(file, { timeout: busyTimeoutMs });
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const insert = db.prepare(`INSERT INTO "Decision" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
const writeRows = db.transaction((rows) => {
  for (const d of rows) {
    insert.run(d.id, d.seq, d.instance, sqliteDateTime(d.at), d.userId, d.procedure, d.branch, d.outcome, d.summary, d.messageId, d.disposition, d.callId, d.sessionId ?? null, JSON.stringify(d.inputs ?? {}));
  }
});
// Rows per transaction: sqlite-writer-thread.ts says why (ROWS_PER_TRANSACTION, D-250, D-323).
const { rowsPerTransaction } = workerData;
/** Writes the batch in order; on a failure, what came before it stays written and nothing after. */
function writeAll(rows) {
  for (let i = 0; i < rows.length; i += rowsPerTransaction) writeRows(rows.slice(i, i + rowsPerTransaction));
}

// Sessions' rows (D-310): one batch of plans is one transaction, all of it or none.
const writeSessions = sessionPlansWriter(db);

// The engine recording's batches (D-312), one row each; the id only has to be unique (reads page
// by fromAt, then id), as Prisma's cuid() default is.
const insertRecording = db.prepare('INSERT INTO "EngineRecording" ("id", "fromAt", "toAt", "calls", "data") VALUES (?, ?, ?, ?, ?)');
function writeRecording(r) {
  insertRecording.run(randomUUID(), sqliteDateTime(r.fromAt), sqliteDateTime(r.toAt), r.calls, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
}

parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    if (m.sessions) writeSessions(m.sessions);
    else if (m.recording) writeRecording(m.recording);
    else writeAll(m.rows);
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e?.message ?? String(e) });
  }
});
