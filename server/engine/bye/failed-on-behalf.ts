// BYE-4-R-ii-d (AMB-26): a chat message the PF acknowledged without storing or deferring is not
// delivered, so IMDN-GEN-1 applies: a <failed/> delivery notification on the user's behalf
// (SPEC §10: cache first, route by IMDN-Record-Route, no Disposition-Notification).
// Kept small and local until the IMDN-GEN builder of server/engine/imdn exists to call instead.
import { normaliseUri } from '../parse/uri';
import type { Work } from './bye-state';
import type { InterceptedItem } from './inputs';
import { decision } from './relay';

/** SEND_REQ leg for a new out-of-dialog request routed by its Request-URI. */
export const NO_LEG = '';

const SESSION_ICSI = 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session';

export function failedOnBehalf(w: Work, item: InterceptedItem): void {
  const s = w.s;
  const { now } = w.ctx;
  const sender = bare(item.from ?? '');
  const messageId = item.messageId ?? '';
  if (sender === '' || messageId === '') {
    w.decisions.push(decision(w, 'BYE-4-R-ii-d', 'NO_IMDN', 'The message has no CPIM From or Message-ID, so no failure notification can be addressed.', { from: item.from, messageId: item.messageId }));
    return;
  }
  const routes = (item.imdnRecordRoute ?? []).map((r) => r.trim());
  const requestUri = routes.length > 0 ? bare(routes[0]) : sender;
  const newId = `gen-${s.id}-${now}`;
  const dateTime = new Date(now).toISOString();
  const served = s.servedUser;
  const originalRecipient = bare(item.originalTo ?? item.to ?? served);
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn">',
    `  <message-id>${esc(messageId)}</message-id>`,
    `  <datetime>${esc(item.dateTime ?? dateTime)}</datetime>`,
    `  <recipient-uri>${esc(served)}</recipient-uri>`,
    `  <original-recipient-uri>${esc(originalRecipient)}</original-recipient-uri>`,
    '  <delivery-notification><status><failed/></status></delivery-notification>',
    '</imdn>',
  ].join('\r\n');
  const cpim = [
    `From: <${served}>`,
    `To: <${sender}>`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${newId}`,
    `DateTime: ${dateTime}`,
    ...routes.map((r) => `imdn.IMDN-Route: ${r.startsWith('<') ? r : `<${r}>`}`),
    '',
    'Content-Type: message/imdn+xml',
    'Content-Disposition: notification',
    `Content-Length: ${new TextEncoder().encode(xml).length}`,
    '',
    xml,
  ].join('\r\n');

  w.effects.push({ kind: 'CACHE_PUT', cache: 'TX', key: { servedUser: served, peer: normaliseUri(sender), messageId }, type: 'delivery', status: 'failed' });
  w.effects.push({
    kind: 'SEND_REQ',
    leg: NO_LEG,
    method: 'MESSAGE',
    uri: requestUri,
    headers: {
      From: `<${served}>`,
      To: `<${sender}>`,
      'P-Asserted-Identity': `<${served}>`,
      'P-Asserted-Service': SESSION_ICSI,
      'Accept-Contact': `*;+g.3gpp.icsi-ref="${encodeURIComponent(SESSION_ICSI)}"`,
      'Conversation-ID': s.conversationId,
      'Contribution-ID': s.contributionId,
      'Content-Type': 'message/cpim',
    },
    body: cpim,
  });
  w.decisions.push({
    branch: 'IMDN-GEN-1',
    procedure: 'IMDN-GEN',
    outcome: 'GENERATE',
    summary: `Message ${messageId} was not delivered while the PF stayed only for a restart, and its sender asked for negative delivery notices: <failed/> sent to ${requestUri}.`,
    inputs: { messageId, sender, imdnRecordRoute: routes, dispositionNotification: item.dispositionNotification },
    sessionId: s.id,
    servedUser: served,
    messageId,
    disposition: 'failed',
  });
}

function bare(v: string): string {
  const m = /<([^>]*)>/.exec(v);
  return (m ? m[1] : v).trim();
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
