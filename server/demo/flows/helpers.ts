// Moves several flows share: a report from the far side, a pager message, counting deliveries.
import type { ServerRequest } from '../../edge/ua';
import type { SipMessage } from '../../edge/sip/message';
import type { FlowContext } from '../flow';
import { imdnCpim, messageCpim, type CpmService, type Disposition } from '../peers/bodies';
import type { NetworkPeer } from '../peers/network-peer';
import type { SipPeer } from '../peers/sip-peer';

/** A disposition notification from `from` (a far-side user) about a message the served user sent. */
export function sendReport(ctx: FlowContext, net: NetworkPeer, o: { to: string; from: string; messageId: string; disposition: Disposition; service?: CpmService }): Promise<SipMessage> {
  return net.sendToServed(o.to, {
    from: o.from,
    service: o.service ?? 'msg',
    contentType: 'message/cpim',
    body: imdnCpim({ from: o.from, to: o.to, messageId: o.messageId, disposition: o.disposition, notificationId: ctx.id(`n${Math.random().toString(36).slice(2, 7)}`) }),
  });
}

/** A pager-mode message from a far-side user to a served user. */
export function sendPagerMessage(net: NetworkPeer, o: { to: string; from: string; messageId: string; text: string; notify?: string[] }): Promise<SipMessage> {
  return net.sendToServed(o.to, {
    from: o.from,
    service: 'msg',
    contentType: 'message/cpim',
    body: messageCpim({ from: o.from, to: o.to, messageId: o.messageId, text: o.text, notify: o.notify }),
  });
}

export function isReport(r: ServerRequest, disposition: Disposition, messageId: string): boolean {
  const body = r.msg.body.toString('utf8');
  const element = disposition === 'interworking' ? /interworking-notification/ : disposition === 'displayed' ? /<displayed\/>/ : new RegExp(`<${disposition}/>`);
  return r.msg.method === 'MESSAGE' && body.includes(`<message-id>${messageId}</message-id>`) && element.test(body);
}

export function carriesMessage(r: ServerRequest, messageId: string): boolean {
  return r.msg.method === 'MESSAGE' && new RegExp(`imdn\\.Message-ID:\\s*${messageId}\\b`).test(r.msg.body.toString('utf8'));
}

/** How many received MESSAGEs match, after letting stragglers arrive. */
export async function countAfter(ctx: FlowContext, peer: SipPeer, match: (r: ServerRequest) => boolean, settleMs = 400): Promise<number> {
  await ctx.wait(settleMs);
  return peer.received.filter(match).length;
}
