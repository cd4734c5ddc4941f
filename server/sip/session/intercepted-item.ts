// What a message carried in a session is, read from its content type and CPIM envelope: the item
// the engine's session procedures take (chat message, IMDN, isComposing, with the CPIM and IMDN
// headers they consult). Used for every SEND the MSRP relay hands over (msrp-carrier.ts).
import type { InterceptedItem } from '../../engine/bye/inputs';
import { cpimHeader, imdnHeader, imdnHeaderValues, parseCpim } from '../../engine/parse/cpim';

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
