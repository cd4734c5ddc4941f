// BYE-4-R-ii (SPEC §5.6): while the PF stays for a disconnected user, what the far side sends in
// the session is answered by the PF and deferred or stored per the user's preferences.
import type { DeferredItem, StoredObjectSpec } from '../effects';
import { sessionHistoryFolder } from '../participants/group-state-object';
import { legById, prefsInputs, type Work } from './bye-state';
import type { InterceptedItem, MsrpSendReceived } from './inputs';
import { decision } from './relay';
import { failedOnBehalf } from './failed-on-behalf';

export function intercept(w: Work, input: MsrpSendReceived): void {
  const s = w.s;
  const leg = legById(w, input.legId);
  const { prefs, policy } = w.ctx;
  if (s.mode !== 'REMAIN_DISCONNECTED' || leg === undefined || leg.kind === 'CLIENT') {
    w.decisions.push(decision(w, 'BYE-4-R-ii', 'NOT_INTERCEPTED', 'The PF is not standing in for a disconnected user in this session; the SEND is not intercepted.', { mode: s.mode, legId: input.legId }));
    return;
  }
  const { item } = input;
  w.effects.push({ kind: 'MSRP_RESP', chunk: input.chunk, code: 200 });
  const inputs = { ...prefsInputs(prefs), allowLongLivedGroupRestart: policy.allowLongLivedGroupRestart, itemKind: item.kind, messageId: item.messageId };

  if (item.kind === 'IS_COMPOSING') {
    w.decisions.push(decision(w, 'BYE-4-R-ii', 'ACK_ONLY', 'An isComposing notice for a disconnected user is acknowledged and dropped.', inputs));
    return;
  }
  if (!s.interceptEnabled) {
    const wantsFailure = item.kind === 'CHAT' && (item.dispositionNotification ?? []).includes('negative-delivery');
    w.decisions.push(decision(w, 'BYE-4-R-ii-d', wantsFailure ? 'NOT_DELIVERED_NOTIFY' : 'NOT_DELIVERED',
      wantsFailure
        ? 'The PF stays only for a long-lived restart: the message is acknowledged but not delivered, so a failed delivery notification goes to its sender.'
        : 'The PF stays only for a long-lived restart: the item is acknowledged, not stored, not deferred, and nothing is generated.',
      { ...inputs, dispositionNotification: item.dispositionNotification ?? [] }));
    if (wantsFailure) failedOnBehalf(w, item);
    return;
  }
  const did: string[] = [];
  if (prefs.allowDefer) {
    const deferred = deferredItem(w, item);
    w.effects.push({ kind: 'DEFER', item: deferred });
    s.bye.deferred.push(deferred);
    did.push('deferred');
  }
  if (prefs.allowOfflineStorage || prefs.allowStore) {
    w.effects.push({ kind: 'RECORD_OBJECT', folder: sessionHistoryFolder(s), object: storedObject(w, item) });
    did.push('stored');
  }
  w.decisions.push(decision(w, 'BYE-4-R-ii', did.length > 0 ? did.join('+').toUpperCase() : 'ACK_ONLY', `The ${item.kind === 'IMDN' ? 'notification' : 'chat message'} for the disconnected user is acknowledged by the PF${did.length > 0 ? ` and ${did.join(' and ')}` : ''}; no notification is generated while it waits.`, inputs));
}

function deferredItem(w: Work, item: InterceptedItem): DeferredItem {
  const d: DeferredItem = {
    kind: item.kind === 'IMDN' ? 'IMDN' : 'CHAT_MESSAGE',
    servedUser: w.s.servedUser,
    contentType: item.contentType,
    body: item.body,
    headers: item.headers,
    sessionId: w.s.id,
  };
  if (item.messageId !== undefined) d.messageId = item.messageId;
  return d;
}

function storedObject(w: Work, item: InterceptedItem): StoredObjectSpec {
  const headers: Record<string, string> = {};
  if (item.from !== undefined) headers.From = item.from;
  if (item.to !== undefined) headers.To = item.to;
  headers.Date = item.dateTime ?? new Date(w.ctx.now).toISOString();
  headers['Conversation-ID'] = w.s.conversationId;
  headers['Contribution-ID'] = w.s.contributionId;
  if (item.messageId !== undefined) headers['IMDN-Message-ID'] = item.messageId;
  headers['Message-Direction'] = 'received';
  headers['Content-Type'] = item.contentType;
  const o: StoredObjectSpec = { kind: item.kind === 'IMDN' ? 'IMDN' : 'MESSAGE', contentType: item.contentType, headers, body: item.body };
  if (item.messageId !== undefined) o.imdnMessageId = item.messageId;
  return o;
}
