// DSP over real SIP: a terminating INVITE is dispatched by its CPM feature tag (session, file
// transfer, large message, deferred) and reaches alice's client through the B2BUA; an INVITE for
// no session service, or from a sender outside the topology, is refused with 403.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { sessionHandlersOf } from '../../../server/sip/session/install';
import { createPeer } from '../../../server/store/peers';
import { countSessions } from '../../../server/store/sessions';

const icsi = (svc: string) => `urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.${svc}`;

for (const [branch, svc, handler] of [
  ['DSP-5', 'session', '8.3.2.1'],
  ['DSP-6', 'filetransfer', '8.3.3.1'],
  ['DSP-2', 'largemsg', '8.3.1.2'],
  ['DSP-3', 'deferred', '8.3.1.6.3'],
] as const) {
  test(`${branch}: INVITE with oma.cpm.${svc} is dispatched to ${handler} and reaches alice's client as a B2BUA session`, async () => {
    const pfPort = await freePort();
    const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
    const dev = await startDevice(h.target, 'device.xml');
    try {
      const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi: icsi(svc) }), reason: 'SIP;cause=200' };
      const peer = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] });
      expectOk(peer, 'remote PF');
      const d = await dev.sipp.done;
      expectOk(d, 'device');
      const invites = received(d, 'INVITE');
      assert.equal(invites.length, 1);
      assert.match(invites[0], new RegExp(`Accept-Contact: .*oma\\.cpm\\.${svc}`));
      assert.equal(received(d, 'BYE').length, 1);
      const s = await onlySession(h.pf);
      assert.equal(s.type, 'ONE_TO_ONE');
      assert.deepEqual(s.legs.map((l) => l.kind).sort(), ['CLIENT', 'REMOTE_PF']);
      assert.equal(s.mode, 'RELEASED');
      const ds = await decisions(h.pf);
      assert.ok(ds.some((x) => x.branch === 'DSP-0' && x.outcome === 'SELECT'));
      assert.ok(ds.some((x) => x.branch === branch && x.outcome === 'DISPATCH'), `${branch} missing`);
    } finally {
      await dev.sipp.stop();
      await h.stop();
    }
  });
}

test('DSP-8b: INVITE with only oma.cpm.msg matches no handler and is rejected with 403; nothing reaches the client', async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
  const dev = await startDevice(h.target, 'device.xml');
  try {
    const peer = await runSipp({ scenario: scenario('network-invite-403.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 10, keys: networkKeys({ icsi: icsi('msg') }) });
    expectOk(peer, 'remote PF');
    const d = await dev.sipp.stop();
    assert.equal(received(d, 'INVITE').length, 0);
    assert.equal(await countSessions(h.pf.db.store), 0);
    assert.ok((await decisions(h.pf)).some((x) => x.branch === 'DSP-8' && x.outcome === 'REJECT'));
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});

test('INVITE-0, PF_TRUST=peers: an INVITE from a source that is neither a registered client nor a configured peer gets 403', async () => {
  const h = await startSessionPf({ topology: { peers: [{ role: 'CF', name: 'cf', address: '127.0.0.1:9' }] } });
  const dev = await startDevice(h.target, 'device.xml');
  try {
    const stranger = await runSipp({ scenario: scenario('network-invite-403.xml'), target: h.target, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 10, keys: networkKeys() });
    expectOk(stranger, 'stranger');
    assert.equal(received(await dev.sipp.stop(), 'INVITE').length, 0);
    assert.equal(await countSessions(h.pf.db.store), 0);
    // the refusal is the engine's, explained like every other decision (issue 14)
    const ds = await decisions(h.pf);
    assert.deepEqual(
      ds.map((x) => [x.procedure, x.branch, x.outcome]),
      [['INVITE', 'INVITE-0', 'REJECT']],
    );
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});

test('INVITE-0, D-309: a peer another instance added to the shared database (no topologyChanged here) is admitted after the periodic re-read', async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'CF', name: 'cf', address: '127.0.0.1:9' }] } });
  const dev = await startDevice(h.target, 'device.xml');
  try {
    // as another instance's console writes it: straight to the database this PF shares
    await createPeer(h.pf.db.store, { role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }, 'console@instance-b');
    const topology = sessionHandlersOf(h.pf.srf)!.topology;
    assert.ok(await waitFor(async () => topology.byName('bob-pf') !== undefined, 8000), 'the new peer was not read within 8 s');
    const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi: icsi('session') }), reason: 'SIP;cause=200' };
    const peer = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] });
    expectOk(peer, 'remote PF');
    expectOk(await dev.sipp.done, 'device');
    assert.deepEqual((await onlySession(h.pf)).legs.map((l) => l.kind).sort(), ['CLIENT', 'REMOTE_PF']);
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
