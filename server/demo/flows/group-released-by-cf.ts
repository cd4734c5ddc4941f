import type { Flow } from '../flow';
import { joinGroup } from './session-helpers';

function groupReleased(id: string, cause: 410 | 480, cls: string): Flow {
  const ended = cause === 410;
  return {
    id,
    title: ended ? 'The group chat ends for good (CF BYE with 410)' : 'The group chat goes idle (CF BYE with 480)',
    story: ended
      ? 'The group\'s owner closes the group. The CF sends BYE with Reason SIP;cause=410: the PF releases Alice\'s device with the same Reason, so the client knows the group cannot restart.'
      : 'Nobody wrote for a while and the CF\'s inactivity timer expires: BYE with Reason SIP;cause=480. The PF releases Alice\'s device with the same Reason; the group may restart later.',
    spec: [cls, `BYE-2-${cause}`, 'BYE-2a', 'BYE-2d'],
    relies: 'the session B2BUA and BYE-2 handling (server/sip/session)',
    // The engine records BYE-2's sub-branches: the cause, the client BYE (2a), the 200 to the CF (2d).
    decisions: [{ branch: cls }, { branch: `BYE-2-${cause}` }, { branch: 'BYE-2a' }, { branch: 'BYE-2d' }],
    async run(ctx) {
      const laptop = await ctx.device('alice', 'laptop');
      const cf = await ctx.network('CF', 'cf');
      const legs = await joinGroup(ctx, laptop, cf, ctx.id('club'));
      ctx.step(ended ? 'The CF ends the group' : 'The CF\'s inactivity timer expires');
      const before = laptop.received.length;
      const bye = cf.bye(legs.cf, `SIP;cause=${cause};text="${ended ? 'Group terminated' : 'Inactivity'}"`);
      const clientBye = await laptop.waitForRequest('the BYE from the PF', (r) => r.msg.method === 'BYE', { after: before });
      ctx.check(`the device's BYE carries cause=${cause}`, new RegExp(`cause=${cause}`).test(clientBye.msg.get('reason') ?? ''), `Reason: ${clientBye.msg.get('reason') ?? 'none'}`);
      ctx.expectStatus('the CF\'s BYE', await bye, 200);
    },
  };
}

export const groupEnded410 = groupReleased('group-ended-410', 410, 'CLS-5');
export const groupIdle480 = groupReleased('group-idle-480', 480, 'CLS-6');
