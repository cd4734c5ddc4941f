// IMDN-GEN-2 over real SIP and MSRP (SIPp holds the dialogs, the chat message travels over MSRP
// through the PF between the test's peers, D-265): a chat message reaches alice's client in a session; a client that
// sends no IMDNs for chat messages (CPM-client/OMA1.0) gets a delivery notification generated on
// its behalf, routed to the sender (here bob, served by this PF too, so it waits in his queue);
// an OMA2.2 client gets none (IMDN-GEN-2x).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { startSipp } from '../../support/sipp';
import { cpim, startSippMsrp, type SippMsrp } from '../../support/sipp-msrp';
import { ALICE, decisions, expectOk, networkMsrpKeys, received, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { requireUserId } from '../../../server/store/users';
import { countDeferred, listDeferred } from '../../../server/store/deferred-queue';

const icsi = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session';

/**
 * The remote PF (SIPp, network-msrp.xml) invites alice; once every device's MSRP connection is up
 * its peer sends one chat message asking for delivery and display reports; SIPp then releases the
 * session. Returns what SIPp saw and the message's MSRP Message-ID.
 */
async function chatFromNetwork(target: string, pfPort: number, from: string, messageId: string, devices: SippMsrp[]) {
  const net = await startSippMsrp(from);
  try {
    const keys = networkMsrpKeys(net, pfPort, { from_user: from, focus: from, contact_params: '', icsi });
    const sipp = startSipp({ scenario: scenario('network-msrp.xml'), target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 20, keys, extra: ['-d', '2500'] });
    const peer = await net.bound();
    for (const d of devices) await d.bound();
    const chat = peer.send(cpim({ from: `sip:${from}@example.com`, to: ALICE, id: messageId, body: 'Are you there?', dn: 'positive-delivery, display' }), { contentType: 'message/cpim' });
    assert.equal((await peer.response(chat.tids[0])).code, 200, 'the device\'s 200 comes back end to end over MSRP');
    const run = await sipp.done;
    expectOk(run, 'remote PF');
    return { run, msrpId: chat.messageId };
  } finally {
    await net.peer.close();
  }
}

for (const [branch, userAgent, generated] of [
  ['GEN-2-UA', 'CPM-client/OMA1.0 sipp', true],
  ['GEN-2x', 'CPM-client/OMA2.2 sipp', false],
] as const) {
  test(`${branch} over SIP and MSRP: a chat message accepted by a ${userAgent.split(' ')[0]} client ${generated ? 'gets a <delivered/> report on its behalf' : 'gets no report from the PF'}`, async () => {
    const pfPort = await freePort();
    const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
    const dev = await startDevice(h.target, 'device.xml', {}, userAgent);
    try {
      const messageId = `chat-${branch}`;
      const { msrpId } = await chatFromNetwork(h.target, pfPort, 'bob', messageId, [dev.msrp]);
      assert.match((await dev.msrp.peer.whole(msrpId)).body.toString(), new RegExp(`imdn\\.Message-ID: ${messageId}`), 'the chat message reached the device over MSRP');
      expectOk(await dev.sipp.done, 'device');

      const bob = { id: await requireUserId(h.pf.db.store, 'sip:bob@example.com') };
      if (generated) {
        assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store, { userId: bob.id })) === 1), 'the generated report reached bob\'s queue');
        const [item] = await listDeferred(h.pf.db.store, bob.id);
        assert.match(item.body, new RegExp(`<message-id>${messageId}</message-id>`));
        assert.match(item.body, /<delivered\/>/);
        assert.match(item.body, /^From: <sip:alice@example\.com>/m, 'the report speaks for alice');
        assert.doesNotMatch(item.body, /imdn\.Disposition-Notification/i);
      } else {
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await countDeferred(h.pf.db.store, { userId: bob.id }), 0);
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

// IMDN-GEN-cache (D-123) over real SIP: alice has two OMA 1.0 devices, the session is forked to
// both (directDeliveryToAllClients), both accept zed's chat message. Zed is not served by this PF,
// so the reports leave through the outbound proxy (a SIPp UAS here), where they are counted: one
// <delivered/>, not one per device.
test('GEN-cache-1, GEN-2-UA over SIP and MSRP: a chat message accepted by two OMA1.0 devices yields one delivered report, not two', async () => {
  const pfPort = await freePort();
  const proxyPort = await freePort();
  const proxy = startSipp({ scenario: 'uas-message.xml', localPort: proxyPort, timeoutSec: 30 });
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'zed-pf', address: `127.0.0.1:${pfPort}` }] },
    policy: { directDeliveryToAllClients: true },
    env: { PF_OUTBOUND_PROXY: `127.0.0.1:${proxyPort}` },
  });
  const d1 = await startDevice(h.target, 'device.xml', {}, 'CPM-client/OMA1.0 sipp-1');
  const d2 = await startDevice(h.target, 'device.xml', {}, 'CPM-client/OMA1.0 sipp-2');
  try {
    const messageId = 'chat-two-oma10';
    const { msrpId } = await chatFromNetwork(h.target, pfPort, 'zed', messageId, [d1.msrp, d2.msrp]);
    const [r1, r2] = [await d1.sipp.done, await d2.sipp.done];
    expectOk(r1, 'device 1');
    expectOk(r2, 'device 2');
    for (const d of [d1, d2]) assert.equal(d.msrp.peer.wholes.filter((w) => w.messageId === msrpId).length, 1, 'each device got the chat message once over MSRP');
    assert.equal(received(r1, 'MESSAGE').length + received(r2, 'MESSAGE').length, 0, 'nothing travelled as SIP MESSAGE');

    await new Promise((r) => setTimeout(r, 800)); // room for a second (wrong) report to leave
    const out = received(await proxy.stop(), 'MESSAGE');
    assert.equal(out.length, 1, 'exactly one report leaves toward zed');
    assert.match(out[0], new RegExp(`<message-id>${messageId}</message-id>`));
    assert.match(out[0], /<delivered\/>/);
    await h.pf.decisions.flush();
    const ds = await decisions(h.pf);
    assert.deepEqual(ds.filter((d) => d.procedure === 'IMDN-GEN').map((d) => [d.branch, d.outcome]), [['IMDN-GEN-2-UA', 'GENERATE'], ['IMDN-GEN-cache', 'DUPLICATE']]);
  } finally {
    await proxy.stop();
    await d1.sipp.stop();
    await d2.sipp.stop();
    await h.stop();
  }
});
