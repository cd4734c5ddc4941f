import type { Flow } from '../flow';
import { acceptContact } from '../peers/bodies';

export const dspUnmatchedInvite: Flow = {
  id: 'dsp-unmatched-invite',
  title: 'INVITEs no CPM handler serves are refused (403)',
  story:
    'An INVITE that names only the pager-mode ICSI (oma.cpm.msg), and one for the system-message service, reach Alice\'s PF. ' +
    'No dispatch rule serves either, so with the default policy (REJECT) both get 403 and no session is created.',
  spec: ['DSP-0', 'DSP-8', 'DSP-9'],
  relies: 'DSP on terminating INVITEs',
  decisions: [
    { branch: 'DSP-0', outcome: 'NO_MATCH' },
    { branch: 'DSP-8', outcome: 'REJECT' },
    { branch: 'DSP-9', outcome: 'UNMATCHED' },
    { branch: 'DSP-8', outcome: 'REJECT' },
  ],
  async run(ctx) {
    const alice = ctx.aor('alice');
    const phone = await ctx.device('alice', 'phone');
    const bobPf = await ctx.network('REMOTE_PF', 'bob-pf');
    const headers = (ac: string) => ({ From: `<${bobPf.uriOf('bob')}>`, To: `<${alice}>`, 'Accept-Contact': ac, Contact: `<${bobPf.uriOf('bob')}>` });
    ctx.step('INVITE with only oma.cpm.msg');
    ctx.expectStatus('INVITE for msg', await bobPf.sendRaw('INVITE', alice, headers(acceptContact(['msg']))), 403);
    ctx.step('INVITE for oma.cpm.systemmsg');
    ctx.expectStatus('INVITE for systemmsg', await bobPf.sendRaw('INVITE', alice, headers(acceptContact(['systemmsg']))), 403);
    await ctx.wait(200);
    ctx.check('Alice\'s phone was never invited', phone.requests('INVITE').length === 0, `${phone.requests('INVITE').length} INVITEs`);
  },
};
