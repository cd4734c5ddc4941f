// In-dialog MESSAGE as the session's message carrier (DECISIONS D-103): SIPp cannot speak MSRP,
// so a chat message, IMDN or isComposing inside a session travels as a MESSAGE on the leg's
// dialog. The PF relays it to the other side, or intercepts it while it stands in for a
// disconnected user (BYE-4-R-ii), exactly where an MSRP relay would answer the SEND itself. A
// notification one of the served user's clients sends goes through IMDN-TX (the engine's
// in-session carrier), which decides whether it is relayed.
import type { InterceptedItem } from '../../engine/bye/inputs';
import { cpimHeader, imdnHeader, imdnHeaderValues, parseCpim } from '../../engine/parse/cpim';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import type { SessionRuntime } from './session-runtime';

export function interceptedItem(contentType: string, body: string): InterceptedItem {
  const base: InterceptedItem = { kind: 'CHAT', contentType, body, headers: { 'Content-Type': contentType } };
  if (!/^message\/cpim/i.test(contentType)) {
    if (/im-iscomposing/i.test(contentType)) base.kind = 'IS_COMPOSING';
    return base;
  }
  const cpim = parseCpim(body);
  if (!cpim.ok) return base;
  const m = cpim.value;
  const inner = (m.contentType ?? '').toLowerCase();
  const item: InterceptedItem = { ...base, kind: inner.includes('imdn+xml') ? 'IMDN' : inner.includes('im-iscomposing') ? 'IS_COMPOSING' : 'CHAT' };
  const set = <K extends keyof InterceptedItem>(k: K, v: InterceptedItem[K] | undefined) => {
    if (v !== undefined) item[k] = v;
  };
  set('messageId', imdnHeader(m, 'Message-ID'));
  set('from', cpimHeader(m, 'From'));
  set('to', cpimHeader(m, 'To'));
  set('dateTime', cpimHeader(m, 'DateTime'));
  set('originalTo', imdnHeader(m, 'Original-To'));
  const dn = imdnHeader(m, 'Disposition-Notification');
  if (dn !== undefined) item.dispositionNotification = dn.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const rr = imdnHeaderValues(m, 'IMDN-Record-Route');
  if (rr.length > 0) item.imdnRecordRoute = rr;
  return item;
}

export function onLegMessage(rt: SessionRuntime, legId: string, req: SrfRequest, res: SrfResponseOut): void {
  const s = rt.sessionOfLeg(legId);
  const contentType = req.get('Content-Type') ?? 'text/plain';
  const body = req.body ?? '';
  const item = interceptedItem(contentType, body);
  const txn = rt.hold(res);
  const ask = { legId, itemKind: item.kind, txn, ...(s ? { session: s } : {}), ...(item.messageId !== undefined ? { messageId: item.messageId } : {}), ...(req.get('Call-ID') ? { callId: req.get('Call-ID') } : {}) };
  // where the MESSAGE goes, and what its sender hears when it goes nowhere: the engine's (CARRIER-n, D-260)
  const route = rt.deps.state.engine.call('carryInDialog', ask);
  const action = route.action;
  if (action.kind === 'ANSWERED') return void rt.answer(s, route);
  if (action.kind === 'INTERCEPT') {
    void rt.bye(s!.id, { kind: 'MSRP_SEND_RECEIVED', legId, chunk: txn, item }).then(() => {
      // an item the intercept step did not answer is refused rather than left unanswered
      if (rt.isHeld(txn)) return rt.answer(rt.session(s!.id) ?? s, rt.deps.state.engine.call('carrierNotTaken', ask));
    });
    return;
  }
  if (action.kind === 'IMDN_TX') {
    // IMDN-TX (SPEC §9): de-duplicated across the user's devices, \Seen for a read report
    void rt.clientImdn(s!.id, legId, contentType, body, txn);
    return;
  }
  void rt.answer(s, route);
  const { targets, fromServedSide } = action;
  void rt.noteChatItem(s!.id, fromServedSide, item);
  // what IMDN-TX reads of a chat message the user received: where it came from, how many took it
  if (!fromServedSide && item.kind === 'CHAT' && item.messageId) rt.noteReceivedChat(s!, item, legId);
  void Promise.all(
    targets.map((t) =>
      rt.relayInDialog(t, contentType, body).then((code) => {
        if (!fromServedSide && item.kind === 'CHAT' && item.messageId && code >= 200 && code < 300) rt.receivedChatAccepted(s!.servedUser, item.messageId);
        return code;
      }),
    ),
  ).then(async (codes) => {
    await rt.answer(rt.session(s!.id) ?? s, rt.deps.state.engine.call('carrierAnswer', { ...ask, codes }));
    if (s!.legs.find((l) => l.id === legId)?.kind === 'CLIENT') return;
    // IMDN-GEN-2: reports on behalf of clients that send none, once per client that took it.
    for (const [i, t] of targets.entries()) {
      const leg = s!.legs.find((l) => l.id === t);
      if (leg && codes[i] >= 200 && codes[i] < 300) void rt.chatDelivered(s!, leg, contentType, body).catch(() => undefined);
    }
  });
}
