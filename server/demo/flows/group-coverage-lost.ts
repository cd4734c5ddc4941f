import type { Flow } from '../flow';
import { joinGroup } from './session-helpers';

export const groupCoverageLost: Flow = {
  id: 'group-coverage-lost',
  title: 'A phone loses coverage in a group chat; the PF stays and stores',
  story:
    'Alice is in a group chat from her phone only, and allows offline storage. The phone drops out of coverage and the core ' +
    'releases its leg (BYE, Reason SIP;cause=503). The PF answers at once, keeps its leg toward the CF (no BYE to the CF) and ' +
    'subscribes to the conference so it can keep the roster while Alice is away.',
  spec: ['CLS-3', 'BYE-4-R', 'BYE-4-R-i', 'BYE-4-R-ans', 'PIN-S1'],
  relies: 'the session B2BUA and BYE-4 handling with the conference SUBSCRIBE (server/sip/session)',
  decisions: [{ branch: 'CLS-3' }, { branch: 'BYE-4-R' }],
  forbidden: [{ branch: 'BYE-4-P' }],
  async run(ctx) {
    const alice = ctx.aor('alice');
    await ctx.console.setPrefs(alice, { allowOfflineStorage: true, allowStore: true });
    const phone = await ctx.device('alice', 'phone');
    const cf = await ctx.network('CF', 'cf');
    cf.roster = [{ uri: alice }, { uri: 'sip:bob@example.net' }, { uri: 'sip:carol@example.net' }];
    const legs = await joinGroup(ctx, phone, cf, ctx.id('team'));

    ctx.step('The phone loses coverage: the core releases its leg');
    ctx.expectStatus('the core\'s BYE', await phone.bye(legs.device, 'SIP;cause=503;text="Connection lost"'), 200);
    const sub = await cf.waitForRequest('the PF\'s conference SUBSCRIBE', (r) => r.msg.method === 'SUBSCRIBE');
    ctx.check('the SUBSCRIBE is for the conference event', /^conference\b/i.test(sub.msg.get('event') ?? ''), `Event: ${sub.msg.get('event')}`);
    await ctx.wait(400);
    ctx.check('the PF sent no BYE to the CF', cf.requests('BYE').length === 0, `${cf.requests('BYE').length} BYE(s)`);
  },
};
