// In-dialog MESSAGE as the session's message carrier (DECISIONS D-103): SIPp cannot speak MSRP,
// so a chat message, IMDN or isComposing inside a session travels as a MESSAGE on the leg's
// dialog. The PF relays it to the other side, or intercepts it while it stands in for a
// disconnected user (BYE-4-R-ii), exactly where an MSRP relay would answer the SEND itself.
import type { InterceptedItem } from '../../engine/bye/inputs';
import { cpimHeader, imdnHeader, imdnHeaderValues, parseCpim } from '../../engine/parse/cpim';
import type { SrfRequest, SrfResponseOut } from '../srf-types';
import type { SessionRuntime } from './session-runtime';

const RELAY_TIMEOUT_MS = 5000;

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
  const leg = s?.legs.find((l) => l.id === legId);
  if (!s || !leg || leg.state === 'TERMINATED') {
    res.send(481, 'Call/Transaction Does Not Exist');
    return;
  }
  const contentType = req.get('Content-Type') ?? 'text/plain';
  if (leg.kind !== 'CLIENT' && s.mode === 'REMAIN_DISCONNECTED') {
    const txn = rt.hold(res);
    void rt
      .bye(s.id, { kind: 'MSRP_SEND_RECEIVED', legId, chunk: txn, item: interceptedItem(contentType, req.body ?? '') })
      // an item the engine did not take (not intercepted) is refused rather than left unanswered
      .then(() => rt.respond(txn, 480, 'Temporarily Unavailable'));
    return;
  }
  void rt.noteChatItem(s.id, leg.kind === 'CLIENT' || leg.iwfSide === 'SERVED', interceptedItem(contentType, req.body ?? ''));
  const targets = s.legs.filter((l) => l.state === 'CONNECTED' && l.id !== legId && (leg.kind === 'CLIENT' ? l.kind !== 'CLIENT' : l.kind === 'CLIENT'));
  if (targets.length === 0) {
    res.send(480, 'Temporarily Unavailable');
    return;
  }
  void Promise.all(targets.map((t) => relay(rt, t.id, contentType, req.body ?? ''))).then((codes) => {
    const ok = codes.find((c) => c >= 200 && c < 300);
    res.send(ok ?? codes[0] ?? 480);
    if (leg.kind === 'CLIENT') return;
    // IMDN-GEN-2: reports on behalf of clients that send none, once per client that took it.
    for (const [i, t] of targets.entries()) {
      if (codes[i] >= 200 && codes[i] < 300) void rt.chatDelivered(s, t, contentType, req.body ?? '').catch(() => undefined);
    }
  });
}

function relay(rt: SessionRuntime, legId: string, contentType: string, body: string): Promise<number> {
  const d = rt.dialogs.get(legId);
  if (!d) return Promise.resolve(481);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(408), RELAY_TIMEOUT_MS).unref();
    d.request({ method: 'MESSAGE', headers: { 'Content-Type': contentType }, body }, (err, r) => {
      if (err || !r) {
        clearTimeout(timer);
        return resolve(481);
      }
      if (r.status < 200) return;
      clearTimeout(timer);
      resolve(r.status);
    });
  });
}
