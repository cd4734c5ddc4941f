// CLS-3 / CLS-10: a core node released the leg (a client's, or an IWF's acting for the user). With
// other suitable devices still in the session this is a leg error (BYE-1b-i-B, AMB-2); otherwise
// the connection-loss rules apply (BYE-4, whose seed trigger requires "no other suitable client is
// connected", DECISIONS D-140).
import { otherSuitableClients, type Work } from './bye-state';
import { connectionLoss } from './connection-loss';
import { decision } from './relay';
import type { LossOrigin } from './user-leave';

export function networkRelease(w: Work, o: LossOrigin): void {
  const { src } = o;
  const others = otherSuitableClients(w, src.id);
  if (others.length === 0) {
    connectionLoss(w, o);
    return;
  }
  const isolate = w.ctx.policy.isolateClientLegErrors;
  w.effects.push({ kind: 'RELEASE_MEDIA', legs: [src.id] });
  src.state = 'TERMINATED';
  if (o.txn !== undefined) w.effects.push({ kind: 'SEND_RESP', txn: o.txn, code: 200, reason: 'OK', headers: o.okHeaders });
  const remaining = others.map((l) => l.id);
  w.decisions.push(
    decision(
      w,
      'BYE-1b-i-B',
      isolate ? 'CLIENT_LEG_ERROR' : 'NETWORK_RELEASE/BYE-4-gate',
      isolate
        ? `The leg to ${src.id} failed while ${remaining.join(', ')} stay connected: only that leg is closed, nobody else is told.`
        : `Handled as a network release: ${src.id} is closed and BYE-4 is not needed because ${remaining.join(', ')} stay connected.`,
      { legId: src.id, otherSuitableClients: remaining, isolateClientLegErrors: isolate },
    ),
  );
}
