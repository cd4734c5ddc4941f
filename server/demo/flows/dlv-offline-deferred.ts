import type { Flow } from '../flow';
import { isReport, sendReport } from './helpers';

export const dlvOfflineDeferred: Flow = {
  id: 'dlv-offline-deferred',
  title: 'A delivery report for an offline user is deferred, then delivered at registration',
  story:
    'Carol has no device online when Bob\'s "delivered" arrives. Her PF keeps it (202 Accepted) in the deferred queue. ' +
    'When Carol\'s phone registers, the PF sends it the report and marks the queued item delivered.',
  spec: ['IMDN-DLV-2', 'IMDN-DLV-2c'],
  relies: 'IMDN-DLV deferral and redelivery on REGISTER',
  decisions: [
    { branch: ['IMDN-RX-3', 'IMDN-RX-2b'], outcome: 'FORWARD' },
    { branch: 'IMDN-DLV-2', outcome: 'DEFER' },
    { branch: 'IMDN-DLV-2', outcome: 'REDELIVER' },
  ],
  async run(ctx) {
    const carol = ctx.aor('carol');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const messageId = ctx.id('m');
    const phone = await ctx.device('carol', 'phone', { register: false });

    ctx.step('Bob\'s "delivered" arrives while Carol is offline');
    ctx.expectStatus('report to an offline user', await sendReport(ctx, bobPf, { to: carol, from: bobPf.uriOf('bob'), messageId, disposition: 'delivered' }), 202);
    const queued = (await ctx.console.storeOf(carol)).deferred.find((d) => d.messageId === messageId);
    ctx.check('the report waits in Carol\'s deferred queue', !!queued && queued.deliveredAt === null, queued ? `deliveredAt ${queued.deliveredAt}` : 'no deferred row for it');

    ctx.step('Carol\'s phone registers');
    await ctx.register(phone);
    await phone.waitForRequest('the deferred report', (r) => isReport(r, 'delivered', messageId));
    await ctx.wait(300);
    const after = (await ctx.console.storeOf(carol)).deferred.find((d) => d.messageId === messageId);
    ctx.check('the queued report is marked delivered', !!after?.deliveredAt, 'still undelivered');
  },
};
