// Puts a session leg's srf dialog under the PF's control. srf's Dialog answers an incoming BYE
// with 200 at once; the BYE procedures must choose when (BYE-1e waits for the far side), so BYE
// and MESSAGE are taken before srf's own handling and everything else is left to srf.
import { header } from '../../engine/message';
import { viewFromRaw } from '../message-view';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import type { SessionRuntime } from './session-runtime';
import type { SrfDialog, SrfDialogs } from './srf-dialog';
import { trackAck } from './uas-ack';

const HELD = Symbol('held until wired');
interface Held {
  requests: Array<[SrfRequest, SrfResponseOut, (() => void) | undefined]>;
  srfHandle: SrfDialog['handle'];
}
const heldOf = (dialog: SrfDialog) => (dialog as unknown as Record<symbol, Held | undefined>)[HELD];
const WIRED = new WeakSet<SrfDialog>();

/**
 * Holds every INVITE dialog from the moment srf creates it (D-286). srf reads several frames from
 * the edge in one go: the confirmation that created a dialog, then the far end's ACK and BYE or
 * MESSAGE, all before the promise of createUAS or createUAC lets the shell see the dialog. So
 * the hold starts in srf's addDialog, synchronously.
 */
export function holdNewDialogs(srf: { addDialog(d: SrfDialog): void }): void {
  const add = srf.addDialog.bind(srf);
  srf.addDialog = (d: SrfDialog) => {
    add(d);
    if ((d as { dialogType?: string }).dialogType === 'INVITE') holdUntilWired(d);
  };
}

/**
 * From its creation until wireLeg, a leg's dialog keeps the BYE and MESSAGE its far end sends
 * instead of letting srf answer them. srf's Dialog answers a BYE with 200 at once, and the PF
 * would never hear of it. The far end may end the session the moment it has the PF's ACK, while
 * the PF is still answering the other side of the session (D-286). wireLeg hands what was kept
 * to the session, and refuseHeld answers it when the leg is dropped instead.
 */
export function holdUntilWired<D extends SrfDialog>(dialog: D): D {
  if (heldOf(dialog) || WIRED.has(dialog)) return dialog;
  const held: Held = { requests: [], srfHandle: dialog.handle.bind(dialog) };
  (dialog as unknown as Record<symbol, Held>)[HELD] = held;
  trackAck(dialog);
  dialog.handle = (req: SrfRequest, res: SrfResponseOut, next?: () => void) => {
    if (req.method === 'BYE' || req.method === 'MESSAGE') held.requests.push([req, res, next]);
    else held.srfHandle(req, res, next);
  };
  return dialog;
}

/** A held dialog that is not wired after all (the PF hangs it up): what it kept gets 481. */
export function refuseHeld(dialog: SrfDialog): void {
  const held = heldOf(dialog);
  if (!held) return;
  for (const [, res] of held.requests.splice(0)) res.send(481);
}

export function wireLeg(rt: SessionRuntime, srf: SrfDialogs, sessionId: string, legId: string, dialog: SrfDialog): void {
  const held = heldOf(dialog);
  if (held) delete (dialog as unknown as Record<symbol, Held | undefined>)[HELD];
  WIRED.add(dialog);
  rt.addLeg(sessionId, legId, dialog);
  // The INVITE transaction that created the leg: received from the far end, or sent by the PF.
  // srf's Dialog says 'uas' when the far end sent the INVITE (dialogType is INVITE or SUBSCRIBE).
  const inbound = (dialog as { type?: string }).type === 'uas';
  rt.trace.request(legId, inbound ? 'in' : 'out', 'INVITE', dialog.local.uri, dialog.sip.callId, '1 INVITE');
  rt.trace.response(legId, inbound ? 'out' : 'in', 'INVITE', 200, 'OK', dialog.sip.callId, '1 INVITE');
  const srfHandle = held?.srfHandle ?? dialog.handle.bind(dialog);
  dialog.handle = (req: SrfRequest, res: SrfResponseOut, next?: () => void) => {
    traceIncoming(rt, legId, req, res);
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
  // Every caller puts the session right after wiring its legs, in the same turn: what the far end
  // sent before is handled once it has (D-286).
  const early = held?.requests.splice(0) ?? [];
  if (early.length) setImmediate(() => { for (const [req, res, next] of early) dialog.handle(req, res, next); });
}

/** Records an in-dialog request on the leg and the final answer the PF sends back. */
function traceIncoming(rt: SessionRuntime, legId: string, req: SrfRequest, res: SrfResponseOut): void {
  const callId = req.get('Call-ID') ?? '';
  const cseq = req.get('CSeq') ?? req.method;
  rt.trace.request(legId, 'in', req.method, req.uri, callId, cseq, req.get('Reason'));
  const send = res.send.bind(res) as (...a: unknown[]) => void;
  (res as { send: (...a: unknown[]) => void }).send = (status: unknown, ...rest: unknown[]) => {
    if (typeof status === 'number' && status >= 200) {
      const phrase = typeof rest[0] === 'string' ? rest[0] : '';
      rt.trace.response(legId, 'out', req.method, status, phrase, callId, cseq);
    }
    send(status, ...rest);
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
    const r = rt.deps.state.engine.call('handleBye', { session: undefined, input: { kind: 'BYE_RECEIVED', message, txn }, prefs: { ...policy.defaultUserPrefs, source: 'PROVIDER_DEFAULTS' }, policy, now, random: 0 });
    rt.deps.record(r.decisions, { callId: header(message, 'call-id'), now });
    rt.respond(txn, 481, 'Call/Transaction Does Not Exist');
    return;
  }
  void rt.bye(s.id, { kind: 'BYE_RECEIVED', legId, message, txn });
}

/**
 * A MESSAGE inside a session leg's dialog: the engine refuses it (D-266, a session's messages
 * travel over MSRP only); the shell carries its answer.
 */
export function onLegMessage(rt: SessionRuntime, legId: string, req: SrfRequest, res: SrfResponseOut): void {
  const txn = rt.hold(res);
  const input = { kind: 'IN_DIALOG_MESSAGE' as const, legId, txn, contentType: req.get('Content-Type') ?? undefined };
  const s = rt.sessionOfLeg(legId);
  if (s) {
    void rt.bye(s.id, input);
    return;
  }
  const now = rt.deps.now();
  const policy = rt.deps.state.policy;
  const r = rt.deps.state.engine.call('handleBye', { session: undefined, input, prefs: { ...policy.defaultUserPrefs, source: 'PROVIDER_DEFAULTS' }, policy, now, random: 0 });
  rt.deps.record(r.decisions, { callId: req.get('Call-ID'), now });
  for (const e of r.effects) if (e.kind === 'SEND_RESP') rt.respond(e.txn, e.code, e.reason, e.headers);
}
