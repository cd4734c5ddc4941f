// IMDN-GEN-2 over real SIP: a chat message reaches alice's client in a session; a client that
// sends no IMDNs for chat messages (CPM-client/OMA1.0) gets a delivery notification generated on
// its behalf, routed to the sender (here bob, served by this PF too, so it waits in his queue);
// an OMA2.2 client gets none (IMDN-GEN-2x).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, scenario, startDevice, startSessionPf, waitFor } from './session-harness';

const icsi = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session';

for (const [branch, userAgent, generated] of [
  ['GEN-2-UA', 'CPM-client/OMA1.0 sipp', true],
  ['GEN-2x', 'CPM-client/OMA2.2 sipp', false],
] as const) {
  test(`${branch} over SIP: a chat message accepted by a ${userAgent.split(' ')[0]} client ${generated ? 'gets a <delivered/> report on its behalf' : 'gets no report from the PF'}`, async () => {
    const pfPort = await freePort();
    const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
    const dev = await startDevice(h.target, 'device.xml', {}, userAgent);
    try {
      const messageId = `chat-${branch}`;
      const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi }), reason: 'SIP;cause=200', message_id: messageId };
      const peer = await runSipp({ scenario: scenario('network-chat.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys });
      expectOk(peer, 'remote PF');
      expectOk(await dev.sipp.done, 'device');

      const bob = await h.pf.db.prisma.user.findUniqueOrThrow({ where: { aor: 'sip:bob@example.com' } });
      if (generated) {
        assert.ok(await waitFor(async () => (await h.pf.db.prisma.deferredItem.count({ where: { userId: bob.id } })) === 1), 'the generated report reached bob\'s queue');
        const [item] = await h.pf.db.prisma.deferredItem.findMany({ where: { userId: bob.id } });
        assert.match(item.body, new RegExp(`<message-id>${messageId}</message-id>`));
        assert.match(item.body, /<delivered\/>/);
        assert.match(item.body, /^From: <sip:alice@example\.com>/m, 'the report speaks for alice');
        assert.doesNotMatch(item.body, /imdn\.Disposition-Notification/i);
      } else {
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await h.pf.db.prisma.deferredItem.count({ where: { userId: bob.id } }), 0);
      }
      await h.pf.decisions.flush();
      const ds = await decisions(h.pf);
      assert.ok(ds.some((d) => d.branch === `IMDN-${branch}`), `decision IMDN-${branch} missing: ${ds.map((d) => d.branch).join(' ')}`);
    } finally {
      await dev.sipp.stop();
      await h.stop();
    }
  });
}
