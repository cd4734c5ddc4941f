import type { Flow } from '../flow';
import { isReport, sendPagerMessage } from './helpers';

export const genNegativeDelivery: Flow = {
  id: 'gen-negative-delivery',
  title: 'A failed delivery produces a negative-delivery report on the user\'s behalf',
  story:
    'Bob\'s only phone refuses Alice\'s message (403), which is a refusal, not "unavailable", so nothing is deferred. ' +
    'Alice asked for negative-delivery reports: Bob\'s PF answers 403 and sends Alice\'s network a "failed" report written for Bob.',
  spec: ['11.1-5', 'IMDN-GEN-1', 'IMDN-GEN-route', 'IMDN-GEN-cache'],
  relies: 'pager-mode delivery (§11.1) and IMDN-GEN toward the SIP/IP core',
  decisions: [
    { branch: '11.1-5', outcome: 'FAILED' },
    { branch: 'IMDN-GEN-1', outcome: 'GENERATE' },
  ],
  async run(ctx) {
    const bob = ctx.aor('bob');
    await ctx.device('bob', 'phone', { messageStatus: 403 });
    const alicePf = await ctx.network('REMOTE_PF', 'alice-pf');
    const alice = alicePf.uriOf('alice');
    const messageId = ctx.id('m');

    ctx.step('Alice (another network) writes to Bob');
    ctx.expectStatus('Alice\'s message', await sendPagerMessage(alicePf, { to: bob, from: alice, messageId, text: 'Are you there?', notify: ['positive-delivery', 'negative-delivery'] }), 403);
    const report = await alicePf.waitForRequest('a negative-delivery report', (r) => isReport(r, 'failed', messageId));
    const body = report.msg.body.toString('utf8');
    ctx.check('the report is addressed to Alice', report.msg.uri === alice, `Request-URI ${report.msg.uri}`);
    ctx.check('the report is written for Bob (CPIM From)', body.includes(`From: <${bob}>`), body.split('\r\n\r\n')[0]);
    ctx.check('the report asks for no reports itself', !/Disposition-Notification/i.test(body));
  },
};
