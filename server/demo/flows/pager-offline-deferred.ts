import type { Flow } from '../flow';
import { carriesMessage, sendPagerMessage } from './helpers';

export const pagerOfflineDeferred: Flow = {
  id: 'pager-offline-deferred',
  title: 'A message to an offline user is deferred and delivered when she registers',
  story:
    'Carol allows deferral. Bob sends her a pager-mode message while none of her devices is registered: the PF answers 202 ' +
    'and queues it. When her tablet registers, the message is delivered to it.',
  spec: ['DSP-1b', '11.1-5', '8.3.1.6'],
  relies: 'pager-mode delivery (§11.1) with deferral and redelivery on REGISTER',
  decisions: [
    { branch: 'DSP-1b' },
    { branch: '11.1-5', outcome: 'DEFER' },
    { branch: '11.1-4', outcome: 'DELIVERED' },
  ],
  async run(ctx) {
    const carol = ctx.aor('carol');
    await ctx.console.setPrefs(carol, { allowDefer: true });
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const tablet = await ctx.device('carol', 'tablet', { register: false });
    const messageId = ctx.id('m');

    ctx.step('Bob writes to Carol, who is offline');
    ctx.expectStatus('message to an offline user', await sendPagerMessage(bobPf, { to: carol, from: bobPf.uriOf('bob'), messageId, text: 'Call me when you land' }), 202);
    const queued = (await ctx.console.storeOf(carol)).deferred.find((d) => d.messageId === messageId);
    ctx.check('the message waits in Carol\'s deferred queue', !!queued, 'no deferred row for it');

    ctx.step('Carol\'s tablet registers');
    await ctx.register(tablet);
    await tablet.waitForRequest('the deferred message', (r) => carriesMessage(r, messageId));
    await ctx.wait(300);
    const after = (await ctx.console.storeOf(carol)).deferred.find((d) => d.messageId === messageId);
    ctx.check('the queued message is marked delivered', !!after?.deliveredAt, 'still undelivered');
  },
};
