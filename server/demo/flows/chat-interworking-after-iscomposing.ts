import type { Flow } from '../flow';
import { messageCpim } from '../peers/bodies';
import { countAfter, isReport, sendReport } from './helpers';
import { joinGroupOverMsrp } from './session-helpers';

/** An isComposing from `from`, CPIM-wrapped as it travels in a chat session (RFC 3994, §12.6). */
function isComposingCpim(from: string, to: string): string {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\r\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype></isComposing>';
  return `From: <${from}>\r\nTo: <${to}>\r\nDateTime: ${new Date().toISOString()}\r\n\r\nContent-Type: application/im-iscomposing+xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`;
}

export const chatInterworkingAfterIsComposing: Flow = {
  id: 'chat-interworking-after-iscomposing',
  title: 'A late SMS-fallback report for a chat message Bob is already answering',
  story:
    'Alice writes in a group chat (over MSRP through the PF). Bob\'s phone reports "delivered" and Bob starts typing (isComposing). ' +
    'Meanwhile Bob\'s network had also sent the message by SMS, and the IWF reports "interworking": Alice\'s PF ' +
    'drops that report, because Bob is visibly in the chat.',
  spec: ['IMDN-RX-3', 'IMDN-RX-2a-iii-2'],
  relies: 'IMDN-RX with the session\'s isComposing senders and the MessageIndex of chat messages (server/sip/session)',
  decisions: [
    { branch: ['IMDN-RX-3', 'IMDN-RX-2b'], outcome: 'FORWARD' },
    { branch: 'IMDN-RX-2a-iii-2', outcome: 'DROP' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const bob = 'sip:bob@example.net';
    const phone = await ctx.device('alice', 'phone');
    const cf = await ctx.network('CF', 'cf');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const iwf = await ctx.network('IWF', 'sms-iwf');
    const { legs, phoneMsrp, cfMsrp } = await joinGroupOverMsrp(ctx, phone, cf, ctx.id('club'));
    const messageId = ctx.id('chat');

    ctx.step('Alice writes in the group chat');
    const chat = phoneMsrp.send(Buffer.from(messageCpim({ from: alice, to: legs.groupUri, messageId, text: 'Lunch at noon?', notify: ['positive-delivery', 'interworking'] })), { contentType: 'message/cpim' });
    ctx.check('the chat message → MSRP 200', (await phoneMsrp.response(chat.tids[0], ctx.env.timeoutMs)).code === 200);

    ctx.step('Bob starts typing');
    const typing = cfMsrp.send(Buffer.from(isComposingCpim(bob, legs.groupUri)), { contentType: 'message/cpim' });
    ctx.check('the isComposing → MSRP 200', (await cfMsrp.response(typing.tids[0], ctx.env.timeoutMs)).code === 200);

    ctx.step('Bob\'s phone reports "delivered"');
    ctx.expectStatus('delivery report', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'delivered', service: 'session' }), 200);
    await phone.waitForRequest('the delivery report', (r) => isReport(r, 'delivered', messageId));

    ctx.step('The IWF reports the SMS fallback, late');
    ctx.expectStatus('interworking report', await sendReport(ctx, iwf, { to: alice, from: bob, messageId, disposition: 'interworking', service: 'session' }), 200);
    const n = await countAfter(ctx, phone, (r) => isReport(r, 'interworking', messageId));
    ctx.check('alice-phone never got the interworking report', n === 0, `got it ${n} times`);
  },
};
