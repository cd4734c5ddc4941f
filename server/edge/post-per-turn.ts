// One postMessage per turn of the event loop on the MESSAGE link (D-342), as corkPerTurn holds a
// control socket's writes (D-251): each post wakes the thread on the other side, and in the PF's
// profile under load a post cost its sender 10–13 µs where the copy alone measured 2–6 µs (D-341);
// the link made four posts per MESSAGE. Under load one turn handles many MESSAGEs (the UDP reads
// of a poll phase on the edge, the port's queue on the PF): what a turn posts leaves as one array
// in the check phase of the same turn, so nothing waits longer than its turn.
import type { MessagePort } from 'node:worker_threads';

/** What one side of the link posts, gathered per turn. */
export class PostPerTurn<T> {
  private held: T[] = [];

  constructor(private readonly port: MessagePort) {}

  post(m: T): void {
    if (this.held.length === 0) setImmediate(this.flush);
    this.held.push(m);
  }

  // an arrow property: setImmediate calls it without `this`
  private readonly flush = (): void => {
    const batch = this.held;
    this.held = [];
    this.port.postMessage(batch);
  };
}

/**
 * The other side: `each` for every message of every array, in order. A message whose handling
 * throws is handed to `failed` and the rest of its array still handled: one bad message must not
 * take the others of its turn with it.
 */
export function receivePerTurn<T>(port: MessagePort, each: (m: T) => void, failed: (e: unknown, m: T) => void): void {
  port.on('message', (batch: T[]) => {
    for (const m of batch) {
      try {
        each(m);
      } catch (e) {
        failed(e, m);
      }
    }
  });
}
