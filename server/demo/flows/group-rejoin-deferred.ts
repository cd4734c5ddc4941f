import type { Flow } from '../flow';
import { messageCpim } from '../peers/bodies';
import { joinGroupOverMsrp } from './session-helpers';

export const groupRejoinDeferred: Flow = {
  id: 'group-rejoin-deferred',
  title: 'A phone\'s MSRP connection breaks in a group chat; it re-joins and gets what it missed',
  story:
    'Alice chats in a group from her phone and allows deferred delivery. Her phone\'s MSRP connection to the PF breaks ' +
    'without any BYE. The PF takes the broken connection as a lost client: it ends the phone\'s dialog (BYE, Reason ' +
    'cause=503), stays in the group and defers what Bob writes meanwhile. When the phone re-joins the group with a new ' +
    'INVITE, the PF binds it to the session it kept and delivers the deferred message over the phone\'s new MSRP connection.',
  spec: ['CLS-MSRP', 'BYE-4-R', 'BYE-4-R-ii', 'BYE-4-R-iii-2'],
  relies: 'the MSRP relay and its connection-loss fact (D-165), BYE-4 and the re-join of a kept group session',
  decisions: [
    { branch: 'CLS-MSRP', outcome: 'NETWORK_RELEASE' },
    { branch: 'BYE-4-R', outcome: 'REMAIN' },
    { branch: 'BYE-4-R-ii', outcome: 'DEFERRED' },
    { branch: 'BYE-4-R-iii-2', outcome: 'REJOINED' },
  ],
  forbidden: [{ branch: 'BYE-4-P' }],
  async run(ctx) {
    const alice = ctx.aor('alice');
    await ctx.console.setPrefs(alice, { allowDefer: true });
    const phone = await ctx.device('alice', 'phone');
    const cf = await ctx.network('CF', 'cf');
    cf.roster = [{ uri: alice }, { uri: 'sip:bob@example.net' }];
    const { legs, phoneMsrp, cfMsrp } = await joinGroupOverMsrp(ctx, phone, cf, ctx.id('crew'));

    ctx.step('The phone\'s MSRP connection breaks (no BYE from anyone)');
    phoneMsrp.drop();
    const bye = await phone.waitForRequest('the PF\'s BYE to the phone', (r) => r.msg.method === 'BYE');
    ctx.check('the BYE says why (cause=503)', /cause=503/.test(bye.msg.get('reason') ?? ''), `Reason: ${bye.msg.get('reason')}`);
    await cf.waitForRequest('the PF\'s conference SUBSCRIBE', (r) => r.msg.method === 'SUBSCRIBE');

    ctx.step('Bob writes while Alice is away: the PF answers and defers the message');
    const missed = ctx.id('missed');
    const sent = cfMsrp.send(Buffer.from(messageCpim({ from: 'sip:bob@example.net', to: alice, messageId: missed, text: 'We moved to room 4.' })), { contentType: 'message/cpim' });
    ctx.check('the PF answers the CF\'s SEND with 200', (await cfMsrp.response(sent.tids[0], ctx.env.timeoutMs)).code === 200);

    ctx.step('The phone re-joins the group with a new INVITE and a new MSRP connection');
    const back = await phone.invite(legs.groupUri);
    ctx.expectStatus('the re-join', back.final, 200);
    await phoneMsrp.waitFor(() => phoneMsrp.wholes.some((w) => w.body.toString('utf8').includes(missed)), 'the deferred message over MSRP', ctx.env.timeoutMs);
    ctx.check('the deferred message arrives over the new MSRP connection', true);
    ctx.check('the PF sent no BYE to the CF', cf.requests('BYE').length === 0, `${cf.requests('BYE').length} BYE(s)`);
  },
};
