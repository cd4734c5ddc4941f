// A worker thread that writes batches for the main thread (the SQLite writer, D-250; the
// PostgreSQL decision writer, D-337): each batch is posted with an id, and its promise settles when
// the thread answers that id, done or failed. Only batches in flight keep the process alive. When
// the thread dies, every batch in flight and every later one is rejected with why.
import { Worker } from 'node:worker_threads';
import type { DecisionRecord } from '../live/events';

/** A decision as its row: its row id and its served user's row id (the user map lives on the main thread). */
export type DecisionRowIn = Omit<DecisionRecord, 'servedUser'> & { id: string; userId: string | null };

/** Writes the decision log's batches off the main thread (SQLite: sqlite-writer-thread.ts; PostgreSQL: postgres-writer-thread.ts). */
export interface DecisionWriter {
  write(rows: DecisionRowIn[]): Promise<void>;
  close(): Promise<void>;
}

export class WriterThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;
  private readonly exited: Promise<void>;

  /** `name`: what the thread is called in the error its exit gives the batches */
  constructor(code: URL, workerData: unknown, name: string) {
    // a batch's rows are garbage once written: a small young generation is enough (D-304)
    this.worker = new Worker(code, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error) p.reject(new Error(m.error));
      else p.resolve();
    });
    this.worker.on('error', (e) => this.fail(e));
    this.exited = new Promise((r) => this.worker.once('exit', () => {
      this.fail(new Error(`${name} exited`));
      r();
    }));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  protected send(work: object): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...work });
    });
  }

  async close(): Promise<void> {
    if (!this.failed) this.worker.postMessage('close');
    this.worker.ref();
    await this.exited;
  }
}
