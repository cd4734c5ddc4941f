// SPEC §5.0: checks that come before any classification.
import type { EngineResult } from '../result';
import type { Leg } from '../model';
import type { Work } from './bye-state';
import { decision, relayLegDone } from './relay';
import type { ByeOrigin } from './user-leave';

/** BYE-0a: no dialog matches. */
export function noDialog(txn: string, callId: string | undefined): EngineResult {
  return {
    effects: [{ kind: 'SEND_RESP', txn, code: 481, reason: 'Call/Transaction Does Not Exist' }],
    decisions: [
      {
        branch: 'BYE-0a',
        procedure: 'BYE',
        outcome: 'REJECT_481',
        summary: 'The BYE matches no dialog of a live session, so it is answered 481.',
        inputs: { callId },
        callId,
      },
    ],
  };
}

/** BYE-0c: requests still open on the leg's dialog end with 487 once the BYE is accepted. */
export function terminatePending(w: Work, leg: Leg): void {
  const pending = (w.s.pendingServerTxns ?? []).filter((p) => p.legId === leg.id);
  if (pending.length === 0) return;
  for (const p of pending) w.effects.push({ kind: 'SEND_RESP', txn: p.txn, code: 487, reason: 'Request Terminated' });
  w.s.pendingServerTxns = (w.s.pendingServerTxns ?? []).filter((p) => p.legId !== leg.id);
  w.decisions.push(decision(w, 'BYE-0c', 'TERMINATE_PENDING', `The pending ${pending.map((p) => p.method).join(', ')} on ${leg.id} is ended with 487 before the BYE is handled.`, {
    legId: leg.id,
    pending: pending.map((p) => ({ txn: p.txn, method: p.method })),
  }));
}

/** BYE-0d: the PF's own BYE on this leg crossed the peer's BYE. */
export function byeGlare(w: Work, o: ByeOrigin): void {
  const { src } = o;
  w.effects.push({ kind: 'SEND_RESP', txn: o.txn, code: 200, reason: 'OK', headers: o.okHeaders });
  src.state = 'TERMINATED';
  delete w.s.bye.outstanding[src.id];
  w.decisions.push(decision(w, 'BYE-0d', 'GLARE', `${src.id} sent a BYE while the PF's own BYE was pending; both ends agree the dialog is over (a later 481 to the PF's BYE is fine).`, { legId: src.id }));
  if (relayLegDone(w, src.id, 'BYE')) return;
  if (w.s.mode !== 'RELEASED') w.effects.push({ kind: 'RELEASE_MEDIA', legs: [src.id] });
}
