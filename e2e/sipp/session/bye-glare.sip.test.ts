// BYE-0d over real SIP: the PF's BYE to alice's client crosses the client's own BYE, and the
// client's BYE arrives after the session was already released (the relay gave up waiting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf } from './session-harness';

test('BYE-0d, BYE-2d, AMB-25: a BYE from the client crossing the PF\'s BYE after the session was released is answered 200, not 481', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] },
    policy: { byeRelayTimeoutMs: 300 },
  });
  // the device holds the PF's BYE for 1 s: the relay times out (300 ms) and the session is released first
  const dev = await startDevice(h.target, 'device-crossing-bye.xml', { keys: { reason: 'SIP;cause=200' }, extra: ['-d', '1000'] });
  try {
    const cf = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys: { ...networkKeys(), reason: 'SIP;cause=410;text="Group ended"' }, extra: ['-d', '800'] });
    expectOk(cf, 'CF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    // the PF's BYE (retransmitted over UDP while the device holds it)
    assert.ok(received(d, 'BYE').length >= 1);
    assert.match(received(d, 'BYE')[0], /Reason: SIP;cause=410/);
    assert.match(d.trace, /SIP\/2\.0 200 OK[\s\S]*CSeq: 1 BYE/, 'the client\'s crossing BYE is answered 200');
    const s = await onlySession(h.pf);
    assert.equal(s.mode, 'RELEASED');
    const ds = await decisions(h.pf);
    assert.ok(ds.some((x) => x.branch === 'AMB-25'), 'the relay timed out before the client\'s BYE');
    assert.ok(ds.some((x) => x.branch === 'BYE-0d' && x.outcome === 'GLARE'), ds.map((x) => `${x.branch}:${x.outcome}`).join(' '));
    assert.ok(!ds.some((x) => x.branch === 'BYE-0a'));
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
