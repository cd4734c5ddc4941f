// Before SQLite opens a database, every file it will write must be writable: the database, its
// "-wal" and "-shm" (when present) and the folder (where SQLite creates them). SQLite maps "-shm"
// into memory; one it cannot write (immutable, read-only, owned by another user) makes it fall
// back to read-only mappings, and the process then fails deep in a query or dies by SIGBUS with
// nothing in the log (issue 18). Checked at start, the failure is one sentence naming the file.
import { accessSync, closeSync, constants, existsSync, openSync } from 'node:fs';
import path from 'node:path';

export class SqliteFileProblem extends Error {
  constructor(readonly file: string, why: string) {
    super(`SQLite file ${file} cannot be written (${why}): fix its permissions or attributes (ls -l, lsattr; chattr -i), or remove a stale -wal/-shm while no PF runs; the PF does not start on a database it cannot write`);
    this.name = 'SqliteFileProblem';
  }
}

/** Throws SqliteFileProblem for the first of the database's files that cannot be written. */
export function assertSqliteWritable(file: string): void {
  if (file === ':memory:' || file === '') return;
  const dir = path.dirname(path.resolve(file));
  if (existsSync(dir)) {
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw new SqliteFileProblem(dir, (e as NodeJS.ErrnoException).code ?? 'not writable');
    }
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(f)) continue;
    try {
      // open for writing, as SQLite will; access(W_OK) alone says yes to root for a read-only mode
      closeSync(openSync(f, constants.O_RDWR));
    } catch (e) {
      throw new SqliteFileProblem(f, (e as NodeJS.ErrnoException).code ?? 'not writable');
    }
  }
}
