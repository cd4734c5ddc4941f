import type { Flow } from '../flow';
import { acceptContact, imdnCpim, messageCpim } from '../peers/bodies';
import { carriesMessage, isReport } from './helpers';

export const dspFeatureTags: Flow = {
  id: 'dsp-feature-tags',
  title: 'Terminating dispatch by feature tag, and an unmatched MESSAGE refused',
  story:
    'Three MESSAGEs reach Alice\'s PF. A chat-message report carries the session ICSI (IMDN path); a pager message carries the ' +
    'msg ICSI (standalone path); a MESSAGE naming only oma.cpm.deferred matches no rule and is refused with 403.',
  spec: ['DSP-0', 'DSP-1', 'DSP-1a', 'DSP-1b', 'DSP-8'],
  relies: 'DSP on terminating MESSAGEs',
  decisions: [
    { branch: 'DSP-0', outcome: 'SELECT' },
    { branch: 'DSP-1a' },
    { branch: 'DSP-0', outcome: 'SELECT' },
    { branch: 'DSP-1b' },
    { branch: 'DSP-0', outcome: 'NO_MATCH' },
    { branch: 'DSP-8', outcome: 'REJECT' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const phone = await ctx.device('alice', 'phone');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const bob = bobPf.uriOf('bob');
    const base = (svc: string) => ({ From: `<${bob}>`, To: `<${alice}>`, 'Accept-Contact': svc, 'Content-Type': 'message/cpim' });

    ctx.step('A report about a chat message (session ICSI, no P-Asserted-Service)');
    const chatMsg = ctx.id('chat');
    const r1 = await bobPf.sendRaw('MESSAGE', alice, base(acceptContact(['session'])), imdnCpim({ from: bob, to: alice, messageId: chatMsg, disposition: 'delivered', notificationId: ctx.id('n1') }));
    ctx.expectStatus('IMDN with the session ICSI', r1, 200);
    await phone.waitForRequest('the chat report', (r) => isReport(r, 'delivered', chatMsg));

    ctx.step('A pager-mode message (msg ICSI)');
    const pager = ctx.id('pager');
    const r2 = await bobPf.sendRaw('MESSAGE', alice, base(acceptContact(['msg'])), messageCpim({ from: bob, to: alice, messageId: pager, text: 'hello' }));
    ctx.expectStatus('standalone message', r2, 200);
    await phone.waitForRequest('the pager message', (r) => carriesMessage(r, pager));

    ctx.step('A MESSAGE that names only oma.cpm.deferred');
    const r3 = await bobPf.sendRaw('MESSAGE', alice, base(acceptContact(['deferred'])), messageCpim({ from: bob, to: alice, messageId: ctx.id('odd'), text: '?' }));
    ctx.expectStatus('unmatched MESSAGE', r3, 403);
  },
};
