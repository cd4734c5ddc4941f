// BYE-1 and BYE-1b-i-B over real SIP: the Controlling Function (SIPp) invites alice, the PF forks
// to her three registered devices (directDeliveryToAllClients), and one device hangs up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf, waitFor } from './session-harness';

test('BYE-1-G, BYE-1b-i-A, BYE-1d, BYE-1e-i, BYE-1f, BYE-1-rsn: cause=200 from one of three devices releases every leg and the CF, Reason propagated', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] },
    policy: { directDeliveryToAllClients: true },
  });
  const reason = 'SIP;cause=200;text="User left the chat"';
  const d2 = await startDevice(h.target, 'device.xml');
  const d3 = await startDevice(h.target, 'device.xml');
  const d1 = await startDevice(h.target, 'device-bye.xml', { keys: { reason }, extra: ['-d', '800'] });
  try {
    const cf = await runSipp({ scenario: scenario('network-wait-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys: networkKeys() });
    expectOk(cf, 'CF');
    const [r1, r2, r3] = [await d1.sipp.done, await d2.sipp.stop(), await d3.sipp.stop()];
    expectOk(r1, 'leaving device');
    expectOk(r2, 'device 2');
    expectOk(r3, 'device 3');

    // on the wire: one BYE to each other device and one to the CF, each with the Reason copied
    const byes = [received(r2, 'BYE'), received(r3, 'BYE'), received(cf, 'BYE')];
    for (const b of byes) {
      assert.equal(b.length, 1);
      assert.match(b[0], /Reason: SIP;cause=200;text="User left the chat"/);
    }
    assert.equal(received(r1, 'BYE').length, 0, 'the leaving device gets no BYE');
    assert.match(r1.trace, /SIP\/2\.0 200 OK[\s\S]*CSeq: 1 BYE/, 'the leaving device gets its 200');

    // stored: the session and all four legs released
    const s = await onlySession(h.pf);
    assert.equal(s.mode, 'RELEASED');
    assert.ok(s.endedAt);
    assert.deepEqual(s.legs.map((l) => [l.kind, l.state]).sort(), [['CF', 'TERMINATED'], ['CLIENT', 'TERMINATED'], ['CLIENT', 'TERMINATED'], ['CLIENT', 'TERMINATED']]);
    assert.ok(s.legs.every((l) => l.releasedAt !== null));
    assert.ok(s.legs.filter((l) => l.releaseReason?.includes('cause=200')).length === 4);
    const branches = (await decisions(h.pf)).map((d) => d.branch);
    for (const b of ['DSP-5', 'CLS-2', 'BYE-1a', 'BYE-1b-i-A', 'BYE-1d', 'BYE-1e-i', 'BYE-1f']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
  } finally {
    await d2.sipp.stop();
    await d3.sipp.stop();
    await h.stop();
  }
});

test('BYE-1b-i-B, BYE-2a: cause=503 from one of three devices closes only that leg; the other two stay connected', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] },
    policy: { directDeliveryToAllClients: true },
  });
  const d2 = await startDevice(h.target, 'device.xml');
  const d3 = await startDevice(h.target, 'device.xml');
  const d1 = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '500'] });
  // the CF ends the session later, so the other devices' fate is visible on the wire
  const cf = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys: { ...networkKeys(), reason: 'SIP;cause=410;text="Group ended"' }, extra: ['-d', '3000'] });
  try {
    const r1 = await d1.sipp.done;
    expectOk(r1, 'failing device');
    // between the device's BYE and the CF's: one leg closed, the rest connected
    assert.ok(await waitFor(async () => (await onlySession(h.pf)).legs.filter((l) => l.state === 'TERMINATED').length === 1));
    const mid = await onlySession(h.pf);
    assert.equal(mid.mode, 'ACTIVE');
    assert.deepEqual(mid.legs.map((l) => [l.kind, l.state]).sort(), [['CF', 'CONNECTED'], ['CLIENT', 'CONNECTED'], ['CLIENT', 'CONNECTED'], ['CLIENT', 'TERMINATED']]);
    const midDecisions = await decisions(h.pf);
    assert.ok(midDecisions.some((d) => d.branch === 'CLS-3'));
    assert.ok(midDecisions.some((d) => d.branch === 'BYE-1b-i-B' && d.outcome === 'CLIENT_LEG_ERROR'));
    assert.ok(!midDecisions.some((d) => d.branch === 'BYE-4-R' || d.branch === 'BYE-4-P'));

    const rcf = await cf.done;
    expectOk(rcf, 'CF');
    const [r2, r3] = [await d2.sipp.stop(), await d3.sipp.stop()];
    expectOk(r2, 'device 2');
    expectOk(r3, 'device 3');
    assert.equal(received(rcf, 'BYE').length, 0, 'no BYE toward the CF for a client-leg error');
    for (const r of [r2, r3]) {
      const b = received(r, 'BYE');
      assert.equal(b.length, 1, 'the other devices are released only by the CF\'s BYE');
      assert.match(b[0], /cause=410/);
    }
    const end = await onlySession(h.pf);
    assert.equal(end.mode, 'RELEASED');
    assert.ok((await decisions(h.pf)).some((d) => d.branch === 'BYE-2a'));
  } finally {
    await d2.sipp.stop();
    await d3.sipp.stop();
    await cf.stop();
    await h.stop();
  }
});
