import type { Flow } from '../flow';
import { countAfter, isReport, sendReport } from './helpers';

export const imdnDuplicateDelivery: Flow = {
  id: 'imdn-duplicate-delivery',
  title: 'Duplicate delivery reports from two of Bob\'s devices',
  story:
    'Alice sent Bob a message. Bob\'s phone and tablet both received it and both report "delivered". ' +
    'Alice\'s PF forwards the first report to Alice\'s phone and laptop and answers the second 200 without forwarding it.',
  spec: ['IMDN-RX-3', 'IMDN-RX-2b', 'IMDN-RX-2a-i'],
  relies: 'IMDN-RX on terminating MESSAGEs',
  decisions: [
    { branch: ['IMDN-RX-3', 'IMDN-RX-2b'], outcome: 'FORWARD' },
    { branch: 'IMDN-RX-2a-i', outcome: 'DROP' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const phone = await ctx.device('alice', 'phone');
    const laptop = await ctx.device('alice', 'laptop');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const bob = bobPf.uriOf('bob');
    const messageId = ctx.id('m');

    ctx.step('Bob\'s phone reports "delivered"');
    ctx.expectStatus('first report', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'delivered' }), 200);
    for (const d of [phone, laptop]) await d.waitForRequest('the delivery report', (r) => isReport(r, 'delivered', messageId));

    ctx.step('Bob\'s tablet reports "delivered" for the same message');
    ctx.expectStatus('duplicate report', await sendReport(ctx, bobPf, { to: alice, from: bob, messageId, disposition: 'delivered' }), 200);
    for (const d of [phone, laptop]) {
      const n = await countAfter(ctx, d, (r) => isReport(r, 'delivered', messageId));
      ctx.check(`${d.name} got the delivery report exactly once`, n === 1, `got it ${n} times`);
    }
  },
};
