import type { Flow } from '../flow';
import { joinGroup } from './session-helpers';

export const groupLeaveOneDevice: Flow = {
  id: 'group-leave-one-device',
  title: 'Alice leaves a group chat from one of her three devices',
  story:
    'Alice has a phone, a tablet and a laptop registered; she is in a group chat from her tablet. She taps "leave": the tablet ' +
    'sends BYE with Reason SIP;cause=200. Her PF classifies it as her own leave and releases the session toward the CF, ' +
    'passing the Reason on.',
  spec: ['CLS-2', 'BYE-1', 'BYE-1d', 'BYE-1e'],
  relies: 'the session B2BUA (INVITE toward the CF) and BYE handling (server/sip/session)',
  decisions: [{ branch: 'CLS-2' }, { branch: 'BYE-1d' }],
  forbidden: [{ branch: 'BYE-4-R' }],
  async run(ctx) {
    await ctx.device('alice', 'phone');
    const tablet = await ctx.device('alice', 'tablet');
    await ctx.device('alice', 'laptop');
    const cf = await ctx.network('CF', 'cf');
    const legs = await joinGroup(ctx, tablet, cf, ctx.id('team'));

    ctx.step('Alice leaves the group from her tablet');
    const bye = tablet.bye(legs.device, 'SIP;cause=200;text="User left the conversation"');
    const cfBye = await cf.waitForRequest('the BYE toward the CF', (r) => r.msg.method === 'BYE');
    ctx.check('the CF\'s BYE carries the user\'s Reason (cause=200)', /cause=200/.test(cfBye.msg.get('reason') ?? ''), `Reason: ${cfBye.msg.get('reason') ?? 'none'}`);
    ctx.expectStatus('the tablet\'s BYE', await bye, 200);
  },
};
