import type { Flow } from '../flow';
import { joinGroup } from './session-helpers';

export const conferenceSubscriptionRelay: Flow = {
  id: 'conference-subscription-relay',
  title: 'A device follows the group roster through the PF',
  story:
    'Alice\'s laptop is in a group chat and subscribes to the group\'s conference (who is in, who left). ' +
    'The PF relays the subscription to the Controlling Function and each roster NOTIFY back to the laptop, ' +
    'and keeps the roster for itself: it is what a Group State Object would record if the group ended now. ' +
    'When the laptop unsubscribes, the CF gets the unsubscribe and the laptop the final NOTIFY.',
  spec: ['PIN-N1r-b2b', 'PIN-N2'],
  relies: 'the conference relay (server/sip/session/conf-relay.ts, DECISIONS D-110)',
  decisions: [{ branch: 'PIN-N1r', outcome: 'RELAY' }, { branch: 'PIN-N1r', outcome: 'RELAY' }],
  async run(ctx) {
    const laptop = await ctx.device('alice', 'laptop');
    const cf = await ctx.network('CF', 'cf');
    cf.roster = [{ uri: ctx.aor('alice') }, { uri: 'sip:bob@example.net' }, { uri: 'sip:carol@example.net', status: 'disconnected', method: 'departed' }];
    const legs = await joinGroup(ctx, laptop, cf, ctx.id('book-club'));

    ctx.step('The laptop subscribes to the group\'s conference');
    const beforeSub = laptop.received.length;
    const sub = await laptop.subscribeConference(legs.groupUri);
    ctx.expectStatus('the conference SUBSCRIBE', sub.final, 200);
    if (!sub.dialog) throw new Error(`the PF did not relay the subscription (answered ${sub.final.status} ${sub.final.reason})`);
    const roster = await laptop.waitForRequest('the relayed roster NOTIFY', (r) => r.msg.method === 'NOTIFY', { after: beforeSub });
    const body = roster.msg.body.toString('utf8');
    ctx.check('the roster names carol as departed', /carol@example\.net[\s\S]*departed/.test(body));
    ctx.check('the CF saw the PF\'s relay Contact', cf.requests('SUBSCRIBE').some((r) => /pf-relay@/.test(r.msg.get('contact') ?? '')));

    ctx.step('The laptop unsubscribes');
    const beforeUnsub = laptop.received.length;
    const unsub = await laptop.unsubscribeConference(sub.dialog);
    ctx.expectStatus('the unsubscribe', unsub, 200);
    const last = await laptop.waitForRequest('the final NOTIFY', (r) => r.msg.method === 'NOTIFY', { after: beforeUnsub });
    ctx.check('the subscription is terminated', /terminated/i.test(last.msg.get('subscription-state') ?? ''));
    ctx.check('the CF got the unsubscribe', cf.requests('SUBSCRIBE').some((r) => r.msg.get('expires') === '0'));
  },
};
