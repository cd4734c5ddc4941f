import type { Flow } from '../flow';
import { carriesMessage, sendPagerMessage } from './helpers';

export const genOma10Standalone: Flow = {
  id: 'gen-oma10-standalone',
  title: 'An OMA1.0 client receives a standalone message: no report on its behalf',
  story:
    'Bob\'s only device is a CPM 1.0 client. CPM 1.0 clients do send reports for pager-mode messages (they do not for chat), ' +
    'so when Alice\'s message reaches it the PF generates nothing and lets the client report.',
  spec: ['IMDN-GEN-2-UA', 'IMDN-GEN-2x'],
  relies: 'pager-mode delivery (§11.1) and IMDN-GEN on delivery',
  decisions: [
    { branch: '11.1-4', outcome: 'DELIVERED' },
    { branch: 'IMDN-GEN-2x', outcome: 'NONE' },
  ],
  forbidden: [{ branch: 'IMDN-GEN-2-UA' }],
  async run(ctx) {
    const bob = ctx.aor('bob');
    const old = await ctx.device('bob', 'old-phone', { userAgent: 'CPM-client/OMA1.0' });
    const alicePf = await ctx.network('REMOTE_PF', 'alice-pf');
    const messageId = ctx.id('m');
    ctx.expectStatus('Alice\'s message', await sendPagerMessage(alicePf, { to: bob, from: alicePf.uriOf('alice'), messageId, text: 'Hi Bob', notify: ['positive-delivery'] }), 200);
    await old.waitForRequest('Alice\'s message', (r) => carriesMessage(r, messageId));
    await ctx.wait(400);
    ctx.check('no report was generated toward Alice', !alicePf.requests('MESSAGE').some((r) => r.msg.body.toString('utf8').includes(`<message-id>${messageId}</message-id>`)));
  },
};
