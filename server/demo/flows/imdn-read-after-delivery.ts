import type { Flow } from '../flow';
import { countAfter, isReport, sendReport } from './helpers';

export const imdnReadAfterDelivery: Flow = {
  id: 'imdn-read-after-delivery',
  title: 'A read report follows a delivery report',
  story:
    'Bob reports "delivered", then "displayed" for Alice\'s message. Both are new kinds of news, so Alice\'s PF ' +
    'forwards both to her phone; a repeated "displayed" is suppressed.',
  spec: ['IMDN-RX-3', 'IMDN-RX-2b', 'IMDN-RX-2a-iv', 'IMDN-RX-2a-i'],
  relies: 'IMDN-RX on terminating MESSAGEs',
  decisions: [
    { branch: ['IMDN-RX-3', 'IMDN-RX-2b'], outcome: 'FORWARD' },
    { branch: 'IMDN-RX-2a-iv', outcome: 'FORWARD' },
    { branch: 'IMDN-RX-2a-i', outcome: 'DROP' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const phone = await ctx.device('alice', 'phone');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const bob = bobPf.uriOf('bob');
    const messageId = ctx.id('m');

    ctx.expectStatus('"delivered"', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'delivered' }), 200);
    await phone.waitForRequest('the delivery report', (r) => isReport(r, 'delivered', messageId));
    ctx.step('Bob reads the message');
    ctx.expectStatus('"displayed"', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'displayed' }), 200);
    await phone.waitForRequest('the read report', (r) => isReport(r, 'displayed', messageId));
    ctx.step('Bob\'s second device also says "displayed"');
    ctx.expectStatus('repeated "displayed"', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'displayed' }), 200);
    const n = await countAfter(ctx, phone, (r) => isReport(r, 'displayed', messageId));
    ctx.check('alice-phone got the read report exactly once', n === 1, `got it ${n} times`);
  },
};
