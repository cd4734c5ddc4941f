// BYE-3 over real SIP: an Interworking Function (SMS/MMS side) hangs up. A single IWF closes the
// whole session (BYE-3b); with two IWFs and IWF_STREAMS_ONLY only the leaving IWF's streams are
// removed from alice's client by re-INVITE (BYE-3a).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { countLegs } from '../../../server/store/sessions';

const iwfKeys = (contribution: string, reason: string) => ({ ...networkKeys({ from_user: 'iwf', focus: 'iwf', contact_params: '', contribution }), reason });

test('BYE-3b-single, BYE-3b-i, BYE-3b-iv, BYE-3c, CLS-8: the single IWF hangs up: alice\'s client gets the BYE with the Reason, the IWF its 200, the session closes', async () => {
  const iwfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'IWF', name: 'sms-iwf', address: `127.0.0.1:${iwfPort}` }] } });
  const dev = await startDevice(h.target, 'device.xml');
  try {
    const iwf = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: iwfPort, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys('c-iwf-1', 'SIP;cause=200;text="SMS user left"'), extra: ['-d', '800'] });
    expectOk(iwf, 'IWF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.equal(received(d, 'BYE').length, 1);
    assert.match(received(d, 'BYE')[0], /Reason: SIP;cause=200;text="SMS user left"/);
    const s = await onlySession(h.pf);
    assert.equal(s.mode, 'RELEASED');
    assert.deepEqual(s.legs.map((l) => [l.kind, l.state]).sort(), [['CLIENT', 'TERMINATED'], ['IWF', 'TERMINATED']]);
    const branches = (await decisions(h.pf)).map((x) => x.branch);
    for (const b of ['CLS-8', 'BYE-3b', 'BYE-3b-ii', 'BYE-3b-iv', 'BYE-3c']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});

test('BYE-3a, BYE-3a-ok: one of two IWFs hangs up with IWF_STREAMS_ONLY: 200 to it at once, re-INVITE with its m-line at port 0 to the client, session stays', async () => {
  const iwf1Port = await freePort();
  const iwf2Port = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'IWF', name: 'sms-iwf', address: `127.0.0.1:${iwf1Port}` }, { role: 'IWF', name: 'mms-iwf', address: `127.0.0.1:${iwf2Port}` }] },
    policy: { iwfByeScope: 'IWF_STREAMS_ONLY' },
  });
  const dev = await startDevice(h.target, 'device.xml');
  const contribution = 'c-iwf-2';
  // the first IWF stays until the end, then closes what is left of the session
  const iwf1 = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: iwf1Port, service: 'alice', calls: 1, timeoutSec: 20, keys: iwfKeys(contribution, 'SIP;cause=200'), extra: ['-d', '5000'] });
  try {
    assert.ok(await waitFor(async () => (await countLegs(h.pf.db.store)) === 2), 'the first IWF session was not set up');
    const iwf2 = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: iwf2Port, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys(contribution, 'SIP;cause=200;text="MMS side left"'), extra: ['-d', '1000'] });
    expectOk(iwf2, 'second IWF');
    assert.ok(await waitFor(async () => (await decisions(h.pf)).some((x) => x.branch === 'BYE-3a-ok')), 'the client never accepted the streams-only re-INVITE');
    const mid = await onlySession(h.pf);
    assert.equal(mid.mode, 'ACTIVE');
    assert.deepEqual(mid.legs.map((l) => [l.kind, l.state]).sort(), [['CLIENT', 'CONNECTED'], ['IWF', 'CONNECTED'], ['IWF', 'TERMINATED']]);

    expectOk(await iwf1.done, 'first IWF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    const invites = received(d, 'INVITE');
    assert.equal(invites.length, 3, 'initial INVITE, the join re-INVITE, the streams-removal re-INVITE');
    assert.match(invites[1], /m=message 7394 TCP\/MSRP \*[\s\S]*m=message 7394 TCP\/MSRP \*/, 'the join adds the second IWF\'s stream');
    assert.match(invites[2], /m=message 7394 TCP\/MSRP \*[\s\S]*m=message 0 TCP\/MSRP \*/, 'only the leaving IWF\'s m-line goes to port 0');
    assert.equal(received(d, 'BYE').length, 1, 'the client is released only when the last IWF leaves');
    const end = await onlySession(h.pf);
    assert.equal(end.mode, 'RELEASED');
    const ds = await decisions(h.pf);
    assert.ok(ds.some((x) => x.branch === 'BYE-3a' && x.outcome === 'REMOVE_STREAMS'));
    assert.ok(ds.some((x) => x.branch === 'BYE-3b' && x.outcome === 'CLOSE_SESSION'));
  } finally {
    await dev.sipp.stop();
    await iwf1.stop();
    await h.stop();
  }
});
