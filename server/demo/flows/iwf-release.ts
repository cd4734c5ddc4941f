import type { Flow } from '../flow';

export const iwfRelease: Flow = {
  id: 'iwf-release',
  title: 'An IWF hangs up an interworked chat',
  story:
    'Alice chats with Dave, who has no CPM client: the chat goes through an SMS IWF. The IWF ends the conversation (BYE). ' +
    'With a single IWF, the PF releases Alice\'s device and answers the IWF after the device\'s 200.',
  spec: ['CLS-8', 'BYE-3', 'BYE-3b', 'BYE-3b-iv'],
  relies: 'the session B2BUA toward an IWF and BYE-3 handling (server/sip/session)',
  decisions: [{ branch: 'CLS-8' }, { branch: 'BYE-3b' }],
  async run(ctx) {
    const phone = await ctx.device('alice', 'phone');
    const iwf = await ctx.network('IWF', 'sms-iwf');
    const dave = `sip:+15550009999@${iwf.hostPort};user=phone`;
    ctx.step('Alice starts a chat with Dave (no CPM client: the IWF answers)');
    const { final, dialog } = await phone.invite(dave);
    ctx.expectStatus('the chat INVITE', final, 200);
    if (!dialog) throw new Error(`the PF did not connect the chat (INVITE answered ${final.status} ${final.reason})`);
    const inv = await iwf.waitForRequest('the INVITE toward the IWF', (r) => r.msg.method === 'INVITE');
    const iwfDialog = iwf.dialogOf(inv);
    if (!iwfDialog) throw new Error('the IWF has no dialog for the INVITE it answered');
    await iwf.waitForRequest('the ACK', (r) => r.msg.method === 'ACK');

    ctx.step('The IWF ends the conversation');
    const bye = iwf.bye(iwfDialog);
    await phone.waitForRequest('the BYE from the PF', (r) => r.msg.method === 'BYE');
    ctx.expectStatus('the IWF\'s BYE', await bye, 200);
  },
};
