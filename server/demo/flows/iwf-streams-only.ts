import type { Flow } from '../flow';

export const iwfStreamsOnly: Flow = {
  id: 'iwf-streams-only',
  title: 'One of two IWFs leaves a chat: only its streams go',
  story:
    'Alice chats with Dave over SMS and with Erin over MMS in one conversation: two Interworking Functions share her session (same Contribution-ID). ' +
    'The MMS side hangs up. With the provider policy iwfByeScope=IWF_STREAMS_ONLY (set for this run, then restored) the PF answers the MMS IWF at once ' +
    'and re-INVITEs Alice\'s device with that IWF\'s m-line at port 0; the chat with Dave goes on until the SMS IWF ends it.',
  spec: ['BYE-3', 'BYE-3a', 'BYE-3a-ok', 'BYE-3b'],
  relies: 'the session B2BUA, the IWF join by re-INVITE (DECISIONS D-107) and BYE-3 handling (server/sip/session)',
  decisions: [{ branch: 'BYE-3a', outcome: 'REMOVE_STREAMS' }, { branch: 'BYE-3a-ok' }, { branch: 'BYE-3b' }],
  async run(ctx) {
    await ctx.console.setProviderPolicy({ iwfByeScope: 'IWF_STREAMS_ONLY' });
    const phone = await ctx.device('alice', 'phone');
    const sms = await ctx.network('IWF', 'sms-iwf');
    const mms = await ctx.network('IWF', 'mms-iwf');
    const alice = ctx.aor('alice');
    const contributionId = ctx.id('contrib');
    const conversationId = ctx.id('conv');

    ctx.step('Dave (SMS) starts the chat with Alice through the SMS IWF');
    const first = await sms.inviteServed(alice, { from: `sip:+15550001111@${sms.hostPort};user=phone`, contributionId, conversationId });
    ctx.expectStatus('the SMS IWF\'s INVITE', first.final, 200);
    if (!first.dialog) throw new Error(`the PF did not connect the SMS side (INVITE answered ${first.final.status} ${first.final.reason})`);

    ctx.step('Erin (MMS) joins the same conversation through the MMS IWF');
    const beforeJoin = phone.received.length;
    const second = await mms.inviteServed(alice, { from: `sip:+15550002222@${mms.hostPort};user=phone`, contributionId, conversationId });
    ctx.expectStatus('the MMS IWF\'s INVITE', second.final, 200);
    if (!second.dialog) throw new Error(`the PF did not join the MMS side (INVITE answered ${second.final.status} ${second.final.reason})`);
    const join = await phone.waitForRequest('the re-INVITE that adds the MMS streams', (r) => r.msg.method === 'INVITE', { after: beforeJoin });
    ctx.check('the join re-INVITE offers two message streams', (join.msg.body.toString('utf8').match(/^m=message [1-9]/gm) ?? []).length === 2);

    ctx.step('The MMS side hangs up');
    const beforeBye = phone.received.length;
    ctx.expectStatus('the MMS IWF\'s BYE', await mms.bye(second.dialog, 'SIP;cause=200;text="MMS user left"'), 200);
    const remove = await phone.waitForRequest('the re-INVITE that removes the MMS streams', (r) => r.msg.method === 'INVITE', { after: beforeBye });
    const body = remove.msg.body.toString('utf8');
    ctx.check('only the leaving IWF\'s m-line goes to port 0', /^m=message [1-9]\d* /m.test(body) && /^m=message 0 /m.test(body), body.split('\n').filter((l) => l.startsWith('m=')).join(' | '));
    ctx.check('Alice\'s device is not released', !phone.received.slice(beforeBye).some((r) => r.msg.method === 'BYE'));

    ctx.step('The SMS side ends the conversation');
    const beforeEnd = phone.received.length;
    const end = sms.bye(first.dialog, 'SIP;cause=200;text="SMS user left"');
    await phone.waitForRequest('the BYE from the PF', (r) => r.msg.method === 'BYE', { after: beforeEnd });
    ctx.expectStatus('the SMS IWF\'s BYE', await end, 200);
  },
};
