import type { Flow } from '../flow';
import { countAfter, isReport, sendReport } from './helpers';

export const smsFallbackInterworking: Flow = {
  id: 'sms-fallback-interworking',
  title: 'SMS fallback: the IWF\'s interworking report, then a late delivery report',
  story:
    'Bob\'s phone was out of coverage, so his network delivered Alice\'s message as SMS through an IWF, which reports ' +
    '"interworking" (tel: URI). Later Bob\'s phone (sip:…;user=phone, the same number) also says "delivered": ' +
    'Alice\'s PF suppresses it, because the message was already reported as delivered by SMS.',
  spec: ['IMDN-RX-3', 'IMDN-RX-2b', 'IMDN-RX-2a-ii-1', 'IMDN-RX-key'],
  relies: 'IMDN-RX on terminating MESSAGEs, §3.5 URI normalisation',
  decisions: [
    { branch: ['IMDN-RX-3', 'IMDN-RX-2b'], outcome: 'FORWARD' },
    { branch: 'IMDN-RX-2a-ii-1', outcome: 'DROP' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const phone = await ctx.device('alice', 'phone');
    const iwf = await ctx.network('IWF', 'sms-iwf');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const messageId = ctx.id('m');
    const number = '+15551230002';

    ctx.step('The IWF reports the SMS fallback');
    ctx.expectStatus('interworking report', await sendReport(ctx, iwf, { to: alice, from: `tel:${number}`, messageId, disposition: 'interworking' }), 200);
    await phone.waitForRequest('the interworking report', (r) => isReport(r, 'interworking', messageId));
    ctx.step('Bob\'s phone comes back and reports "delivered"');
    ctx.expectStatus('late delivery report', await sendReport(ctx, bobPf, { to: alice, from: `sip:${number}@${bobPf.hostPort};user=phone`, messageId, disposition: 'delivered' }), 200);
    const n = await countAfter(ctx, phone, (r) => isReport(r, 'delivered', messageId));
    ctx.check('alice-phone never got the late "delivered"', n === 0, `got it ${n} times`);
  },
};
