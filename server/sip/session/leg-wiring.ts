// Puts a session leg's srf dialog under the PF's control. srf's Dialog answers an incoming BYE
// with 200 at once; the BYE procedures must choose when (BYE-1e waits for the far side), so BYE
// and MESSAGE are taken before srf's own handling and everything else is left to srf.
import { handleBye } from '../../engine/bye/handle-bye';
import { header } from '../../engine/message';
import { viewFromRaw } from '../message-view';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import { onLegMessage } from './chat-carrier';
import type { SessionRuntime } from './session-runtime';
import type { SrfDialog, SrfDialogs } from './srf-dialog';

export function wireLeg(rt: SessionRuntime, srf: SrfDialogs, sessionId: string, legId: string, dialog: SrfDialog): void {
  rt.addLeg(sessionId, legId, dialog);
  const srfHandle = dialog.handle.bind(dialog);
  dialog.handle = (req: SrfRequest, res: SrfResponseOut, next?: () => void) => {
    if (req.method === 'BYE') {
      // the edge ends its dialog on a BYE; srf must forget it too, the PF answers it itself
      dialog.connected = false;
      srf.removeDialog(dialog);
      onLegBye(rt, legId, req, res);
      return;
    }
    if (req.method === 'MESSAGE') {
      onLegMessage(rt, legId, req, res);
      return;
    }
    srfHandle(req, res, next);
  };
}

export function onLegBye(rt: SessionRuntime, legId: string | undefined, req: SrfRequest, res: SrfResponseOut): void {
  const message = viewFromRaw(req.msg.raw ?? req.msg.toString());
  const txn = rt.hold(res);
  const s = legId === undefined ? undefined : rt.sessionOfLeg(legId);
  if (legId !== undefined) {
    const reason = header(message, 'reason');
    if (reason !== undefined) rt.legMeta.set(legId, { ...rt.legMeta.get(legId), releaseReason: reason });
  }
  if (!s) {
    // BYE-0a: no live session owns the dialog
    const now = rt.deps.now();
    const policy = rt.deps.state.policy;
    const r = handleBye(undefined, { kind: 'BYE_RECEIVED', message, txn }, { ...policy.defaultUserPrefs, source: 'PROVIDER_DEFAULTS' }, policy, now);
    rt.deps.record(r.decisions, { callId: header(message, 'call-id'), now });
    rt.respond(txn, 481, 'Call/Transaction Does Not Exist');
    return;
  }
  void rt.bye(s.id, { kind: 'BYE_RECEIVED', legId, message, txn });
}
