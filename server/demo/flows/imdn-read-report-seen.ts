import type { Flow } from '../flow';
import { imdnCpim } from '../peers/bodies';
import { carriesMessage, isReport, sendPagerMessage } from './helpers';

export const imdnReadReportSeen: Flow = {
  id: 'imdn-read-report-seen',
  title: 'A read report from Alice\'s phone sets \\Seen',
  story:
    'Bob sends Alice a message; her PF delivers it to her phone and keeps it in her Message Store (she allows storage). ' +
    'When she reads it, her phone sends "displayed" toward Bob: the PF forwards it to Bob\'s network and marks the stored message \\Seen.',
  spec: ['IMDN-TX-2x', 'IMDN-TX-3', 'IMDN-TX-4'],
  relies: 'pager delivery with storage (8.5), IMDN-TX on originating MESSAGEs from a registered client',
  decisions: [
    { branch: '11.1-4', outcome: 'DELIVERED' },
    { branch: ['IMDN-TX-2x', 'IMDN-TX-2'], outcome: 'FORWARD' },
    { branch: 'IMDN-TX-3' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    await ctx.console.setPrefs(alice, { allowStore: true });
    const phone = await ctx.device('alice', 'phone');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const bob = bobPf.uriOf('bob');
    const messageId = ctx.id('m');

    ctx.step('Bob sends Alice a message asking for a read report');
    ctx.expectStatus('Bob\'s message', await sendPagerMessage(bobPf, { to: alice, from: bob, messageId, text: 'Lunch at noon?' }), 200);
    await phone.waitForRequest('Bob\'s message', (r) => carriesMessage(r, messageId));

    ctx.step('Alice reads it: her phone sends "displayed" to Bob');
    const res = await phone.sendMessage(bob, {
      service: 'msg',
      contentType: 'message/cpim',
      body: imdnCpim({ from: alice, to: bob, messageId, disposition: 'displayed', notificationId: ctx.id('n') }),
    });
    ctx.expectStatus('the read report', res, 200);
    await bobPf.waitForRequest('the read report', (r) => isReport(r, 'displayed', messageId));

    await ctx.wait(300);
    const store = await ctx.console.storeOf(alice);
    const stored = store.objects.find((o) => o.imdnMessageId === messageId && o.kind === 'MESSAGE');
    ctx.check('the message is in Alice\'s Message Store', !!stored, `${store.objects.length} objects, none with IMDN-Message-ID ${messageId}`);
    ctx.check('the stored message is flagged \\Seen', !!stored?.flags.includes('\\Seen'), `flags: ${stored?.flags.join(' ') || 'none'}`);
    ctx.check('the read report itself is not stored (IMDN-TX-4)', !store.objects.some((o) => o.kind !== 'MESSAGE' && o.imdnMessageId === messageId && /displayed/.test(o.body)));
  },
};
