// Replay and what-if over the BYE procedures (issue 20): a Controlling Function ends alice's group
// over real SIP (SIPp); the recorded window replays to the same decisions, and the same window
// with alice's allow-offline-storage turned on records the session instead of dropping it; an IWF
// leaving under IWF_STREAMS_ONLY would have closed the whole session under WHOLE_SESSION.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReplay } from '../../../server/engine/replay/replay';
import { whatIf } from '../../../server/engine/replay/what-if';
import { recordedCalls } from '../../../server/store/engine-recording';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { ALICE, decisions, expectOk, networkKeys, onlySession, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { countLegs } from '../../../server/store/sessions';

test('REPLAY-EQ, WHAT-IF BYE-2b: a group ended by the CF (410) replays exactly; allow-offline-storage false→true records the session (BYE-2b-x → BYE-2b)', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] }, prefs: { allowOfflineStorage: false, allowStore: true } });
  const from = new Date(Date.now() - 1000);
  const dev = await startDevice(h.target, 'device.xml');
  try {
    const keys = { ...networkKeys({ contribution: 'contrib-replay' }), reason: 'SIP;cause=410;text="Group ended"' };
    expectOk(await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '800'] }), 'CF');
    expectOk(await dev.sipp.done, 'device');
    assert.equal((await onlySession(h.pf)).mode, 'RELEASED');

    await h.pf.decisions.flush();
    await h.pf.recorder!.flush();
    const calls = await recordedCalls(h.pf.db.store, from, new Date());
    const byes = calls.filter((c) => c.p === 'handleBye');
    assert.ok(byes.length >= 2, `handleBye recorded ${byes.length} time(s)`);
    assert.ok(byes.some((c) => c.d.some(([b]) => b === 'BYE-2b-x')), 'the recorded run did not record the session');

    assert.deepEqual(checkReplay(calls).mismatches, []);

    const diff = whatIf(calls, { prefs: { [ALICE]: { allowOfflineStorage: true } } });
    const group = diff.groups.find((g) => g.branch === 'BYE-2b-x' && g.user === ALICE);
    assert.ok(group, `no BYE-2b-x change: ${JSON.stringify(diff.groups)}`);
    assert.ok(group.examples.some((e) => e.after?.[0] === 'BYE-2b'), 'BYE-2b-x becomes BYE-2b');
    assert.equal(group.newEffects.RECORD_SESSION, 1);
    assert.equal(whatIf(calls, {}).changedCalls, 0);
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});

test('REPLAY-EQ, WHAT-IF BYE-3: one of two IWFs leaves under IWF_STREAMS_ONLY (BYE-3a); under a proposed WHOLE_SESSION the same BYE closes the session (BYE-3b)', async () => {
  const iwf1Port = await freePort();
  const iwf2Port = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'IWF', name: 'sms-iwf', address: `127.0.0.1:${iwf1Port}` }, { role: 'IWF', name: 'mms-iwf', address: `127.0.0.1:${iwf2Port}` }] },
    policy: { iwfByeScope: 'IWF_STREAMS_ONLY' },
  });
  const from = new Date(Date.now() - 1000);
  const dev = await startDevice(h.target, 'device.xml');
  const iwfKeys = (reason: string) => ({ ...networkKeys({ from_user: 'iwf', focus: 'iwf', contact_params: '', contribution: 'c-iwf-replay' }), reason });
  const iwf1 = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: iwf1Port, service: 'alice', calls: 1, timeoutSec: 20, keys: iwfKeys('SIP;cause=200'), extra: ['-d', '5000'] });
  try {
    assert.ok(await waitFor(async () => (await countLegs(h.pf.db.store)) === 2), 'the first IWF session was not set up');
    expectOk(await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: iwf2Port, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys('SIP;cause=200;text="MMS side left"'), extra: ['-d', '1000'] }), 'second IWF');
    assert.ok(await waitFor(async () => (await decisions(h.pf)).some((x) => x.branch === 'BYE-3a-ok')), 'the client never accepted the streams-only re-INVITE');
    expectOk(await iwf1.done, 'first IWF');
    expectOk(await dev.sipp.done, 'device');

    await h.pf.recorder!.flush();
    const calls = await recordedCalls(h.pf.db.store, from, new Date());
    assert.deepEqual(checkReplay(calls).mismatches, []);
    const diff = whatIf(calls, { policy: { iwfByeScope: 'WHOLE_SESSION' } });
    const group = diff.groups.find((g) => g.branch === 'BYE-3a' && g.user === ALICE);
    assert.ok(group, `no BYE-3a change: ${JSON.stringify(diff.groups)}`);
    assert.ok(group.examples.some((e) => e.before?.[1] === 'REMOVE_STREAMS' && e.after?.[0] === 'BYE-3b'), JSON.stringify(group.examples));
  } finally {
    await dev.sipp.stop();
    await iwf1.stop();
    await h.stop();
  }
});

test('D-311, REPLAY-EQ: an INVITE is recorded with the user\'s open sessions only (a session released a moment ago, kept 32 s for late requests, is left out), and the window replays exactly', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] } });
  const from = new Date(Date.now() - 1000);
  const dev = await startDevice(h.target, 'device.xml', { calls: 2 });
  try {
    for (const contribution of ['contrib-first', 'contrib-second']) {
      const keys = { ...networkKeys({ contribution }), reason: 'SIP;cause=410;text="Group ended"' };
      expectOk(await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] }), `CF (${contribution})`);
    }
    expectOk(await dev.sipp.done, 'device');
    await h.pf.recorder!.flush();
    const calls = await recordedCalls(h.pf.db.store, from, new Date());
    const invites = calls.filter((c) => c.p === 'handleInvite');
    assert.equal(invites.length, 2);
    const given = (invites[1].a.input as { sessions: Array<{ contributionId: string; mode: string }> }).sessions;
    assert.deepEqual(given.map((s) => [s.contributionId, s.mode]), [], 'the first session, released, was given to the second INVITE');
    assert.deepEqual(checkReplay(calls).mismatches, []);
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
