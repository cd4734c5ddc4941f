// On PostgreSQL, the decision log's INSERTs run on a worker thread with a connection of its own
// (D-337), as they do on SQLite (D-250): Prisma's query pipeline and pg's protocol work for every
// batch were a tenth of the main thread's busy time under IMDN load. Sessions' rows and the
// recording's batches stay with Prisma on this provider (one write per session step, one per
// recorded batch). The rows are the Prisma path's (decision-insert-sql.mjs).
import { pgConnectionOf } from './open-client';
import { WriterThread, type DecisionRowIn, type DecisionWriter } from './writer-thread';

const THREAD = new URL('./postgres-writer-worker.mjs', import.meta.url);

/**
 * Rows per INSERT statement: one statement is one transaction (a WAL flush at its commit), and
 * 512 rows of 14 parameters stay far under PostgreSQL's 65,535 parameters per statement.
 */
export const ROWS_PER_STATEMENT = 512;

export class PostgresWriterThread extends WriterThread implements DecisionWriter {
  /** `url`: the PF's DATABASE_URL (postgresql://…, Prisma's `?schema=` understood) */
  constructor(url: string, rowsPerStatement = ROWS_PER_STATEMENT) {
    const { connectionString, options } = pgConnectionOf(url);
    super(THREAD, { connectionString, options, rowsPerStatement }, 'the PostgreSQL decision writer thread');
  }

  write(rows: DecisionRowIn[]): Promise<void> {
    return this.send({ rows });
  }
}
