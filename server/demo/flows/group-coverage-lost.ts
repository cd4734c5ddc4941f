import type { Flow } from '../flow';
import { messageCpim } from '../peers/bodies';
import { joinGroupOverMsrp } from './session-helpers';

export const groupCoverageLost: Flow = {
  id: 'group-coverage-lost',
  title: 'A phone loses coverage in a group chat; the PF stays and stores',
  story:
    'Alice is in a group chat from her phone only, and allows offline storage. The chat travels over MSRP through the PF. ' +
    'The phone drops out of coverage: its MSRP connection breaks and the core releases its leg (BYE, Reason SIP;cause=503). ' +
    'The PF answers at once, keeps its leg and MSRP connection toward the CF (no BYE to the CF) and subscribes to the ' +
    'conference so it can keep the roster while Alice is away. Bob writes meanwhile: the PF answers his MSRP SEND itself ' +
    'and stores the message in Alice\'s Message Store.',
  spec: ['CLS-3', 'BYE-4-R', 'BYE-4-R-i', 'BYE-4-R-ans', 'BYE-4-R-ii', 'PIN-S1'],
  relies: 'the session B2BUA, the MSRP relay (server/msrp) and BYE-4 handling with the conference SUBSCRIBE (server/sip/session)',
  decisions: [{ branch: 'CLS-3' }, { branch: 'BYE-4-R' }, { branch: 'BYE-4-R-ii', outcome: 'STORED' }],
  forbidden: [{ branch: 'BYE-4-P' }],
  async run(ctx) {
    const alice = ctx.aor('alice');
    await ctx.console.setPrefs(alice, { allowOfflineStorage: true, allowStore: true });
    const phone = await ctx.device('alice', 'phone');
    const cf = await ctx.network('CF', 'cf');
    cf.roster = [{ uri: alice }, { uri: 'sip:bob@example.net' }, { uri: 'sip:carol@example.net' }];
    const { legs, phoneMsrp, cfMsrp } = await joinGroupOverMsrp(ctx, phone, cf, ctx.id('team'));

    ctx.step('Bob writes to the group: the message reaches the phone over MSRP');
    const hello = ctx.id('hello');
    const sent = cfMsrp.send(Buffer.from(messageCpim({ from: 'sip:bob@example.net', to: alice, messageId: hello, text: 'Lunch at noon?' })), { contentType: 'message/cpim' });
    ctx.check('the phone takes it (MSRP 200 back to the CF)', (await cfMsrp.response(sent.tids[0], ctx.env.timeoutMs)).code === 200);
    await phoneMsrp.waitFor(() => phoneMsrp.wholes.some((w) => w.messageId === sent.messageId), 'the message over MSRP', ctx.env.timeoutMs);

    ctx.step('The phone loses coverage: its MSRP connection breaks and the core releases its leg');
    phoneMsrp.drop();
    ctx.expectStatus('the core\'s BYE', await phone.bye(legs.device, 'SIP;cause=503;text="Connection lost"'), 200);
    const sub = await cf.waitForRequest('the PF\'s conference SUBSCRIBE', (r) => r.msg.method === 'SUBSCRIBE');
    ctx.check('the SUBSCRIBE is for the conference event', /^conference\b/i.test(sub.msg.get('event') ?? ''), `Event: ${sub.msg.get('event')}`);

    ctx.step('Bob writes again while Alice is away: the PF answers his SEND and stores the message');
    const away = ctx.id('away');
    const later = cfMsrp.send(Buffer.from(messageCpim({ from: 'sip:bob@example.net', to: alice, messageId: away, text: 'Are you still there?' })), { contentType: 'message/cpim' });
    ctx.check('the PF answers the CF\'s SEND with 200', (await cfMsrp.response(later.tids[0], ctx.env.timeoutMs)).code === 200);
    await ctx.wait(400);
    const stored = (await ctx.console.storeOf(alice)).objects.some((o) => o.imdnMessageId === away);
    ctx.check('the message is in Alice\'s Message Store', stored);
    ctx.check('the PF sent no BYE to the CF', cf.requests('BYE').length === 0, `${cf.requests('BYE').length} BYE(s)`);
    ctx.check('the PF kept its MSRP connection to the CF', cfMsrp.connected);
  },
};
