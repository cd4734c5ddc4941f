// RFC 3261 §15: the PF, as the UAS of a dialog, must not send a BYE on it (nor any other request)
// until the ACK of its 200 came or Timer H ran out. srf hands the PF a dialog it answered as soon
// as its 200 is sent, before the ACK, so the shell keeps track (D-286).
import type { SrfDialog } from './srf-dialog';

/** RFC 3261 Timer H (64 × T1): how long a UAS waits for the ACK of its 2xx */
const ACK_WAIT_MS = 32_000;
const ACKS = new WeakMap<SrfDialog, Promise<void>>();

/** Starts waiting for the ACK of a dialog srf answered as the UAS (others are not tracked). */
export function trackAck(dialog: SrfDialog): void {
  if ((dialog as { type?: string }).type !== 'uas' || ACKS.has(dialog)) return;
  let done = () => {};
  const acked = new Promise<void>((resolve) => (done = resolve));
  const timer = setTimeout(() => {
    ACKS.delete(dialog);
    done();
  }, ACK_WAIT_MS);
  timer.unref();
  dialog.on('ack', () => {
    clearTimeout(timer);
    ACKS.delete(dialog);
    done();
  });
  ACKS.set(dialog, acked);
}

/** Resolves once a tracked dialog's ACK came (or Timer H ran out); undefined when nothing is awaited. */
export function untilAcked(dialog: SrfDialog): Promise<void> | undefined {
  return ACKS.get(dialog);
}
