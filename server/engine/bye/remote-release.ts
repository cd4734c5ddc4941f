// BYE-2 (SPEC §5.4): the Controlling Function or the other user's PF released the session.
import { sendBye } from './build-request';
import { connectedServedSide, prefsInputs, type Work } from './bye-state';
import type { Classification } from './classify';
import { decision, startRelay } from './relay';
import type { LossOrigin } from './user-leave';

/** `o.txn` is absent when no BYE arrived: the side's media connection was lost (D-267). */
export function remoteRelease(w: Work, o: LossOrigin, cls: Classification): void {
  const { prefs } = w.ctx;
  const s = w.s;
  const { src } = o;
  src.state = 'TERMINATED';

  if (cls.groupEnd !== undefined) {
    s.restartable = cls.groupEnd === 'GROUP_INACTIVE';
    w.decisions.push(decision(w, cls.groupEnd === 'GROUP_INACTIVE' ? 'BYE-2-480' : 'BYE-2-410', cls.groupEnd,
      s.restartable
        ? 'The group went inactive; it may restart as a long-lived group (restartable recorded).'
        : 'The group was ended for good; it cannot restart (recorded as not restartable).',
      { groupEnd: cls.groupEnd, restartable: s.restartable }));
  }

  // the served user's side: its clients and any IWF acting for it (D-140, AMB-4)
  const clients = connectedServedSide(w);
  const remain = s.mode === 'REMAIN_DISCONNECTED' || clients.length === 0;

  if (prefs.allowOfflineStorage) {
    w.effects.push({ kind: 'RECORD_SESSION', sessionId: s.id });
    w.decisions.push(decision(w, 'BYE-2b', 'RECORD_SESSION', 'allow-offline-storage is on, so the session is recorded in the Message Store.', prefsInputs(prefs)));
  } else {
    w.decisions.push(decision(w, 'BYE-2b-x', 'NO_RECORD', 'allow-offline-storage is off, so the session is not recorded (allow-store does not count here).', prefsInputs(prefs)));
  }

  if (remain) {
    w.decisions.push(decision(w, 'BYE-2-R', 'ANSWER_NOW', `No client is connected${s.mode === 'REMAIN_DISCONNECTED' ? ' (the PF stayed after a lost connection)' : ''}; ${src.id} is answered at once and the ${s.bye.deferred.length} deferred item(s) stay queued for the user.`, {
      mode: s.mode,
      deferredItems: s.bye.deferred.length,
    }));
  } else {
    w.decisions.push(decision(w, 'BYE-2a', 'BYE_CLIENTS', `BYE sent to every connected client (${clients.map((l) => l.id).join(', ')}); ${src.id} is answered once they answer.`, {
      clients: clients.map((l) => l.id),
      propagateReasonHeader: w.ctx.policy.propagateReasonHeader,
    }));
    for (const c of clients) sendBye(w, c, o.reasonValues);
  }

  startRelay(w, {
    branch: 'BYE-2',
    srcLeg: src.id,
    txn: o.txn,
    answered: false,
    okHeaders: o.okHeaders,
    waitFor: remain ? [] : clients.map((l) => l.id),
    reasonValues: o.reasonValues,
  });
}
