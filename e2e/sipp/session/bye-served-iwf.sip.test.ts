// A session interworked on both sides over real SIP: a remote-side IWF invites alice, whose client
// answers, and an IWF acting for alice (iwfSide SERVED) joins it (its streams added to the client
// by re-INVITE). Then one of the IWFs hangs up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf, waitFor, type Prefs } from './session-harness';
import type { PolicyOverrides } from '../../../server/engine/policy';
import { countDeferred } from '../../../server/store/deferred-queue';
import { countLegs } from '../../../server/store/sessions';

const iwfKeys = (from: string, contribution: string, reason: string) => ({ ...networkKeys({ from_user: from, focus: from, contact_params: '', contribution }), reason });

async function twoIwfs(opts: { policy?: PolicyOverrides; prefs?: Prefs }) {
  const remotePort = await freePort();
  const servedPort = await freePort();
  const h = await startSessionPf({
    topology: {
      peers: [
        { role: 'IWF', name: 'sms-iwf', address: `127.0.0.1:${remotePort}`, iwfSide: 'REMOTE' },
        { role: 'IWF', name: 'alice-iwf', address: `127.0.0.1:${servedPort}`, iwfSide: 'SERVED' },
      ],
    },
    policy: opts.policy,
    prefs: opts.prefs,
  });
  const dev = await startDevice(h.target, 'device.xml');
  return { h, dev, remotePort, servedPort };
}

for (const [label, prefs, policy] of [
  ['no preference set', {}, {}],
  ['allow-defer, remainOnConnectionLossFor1to1', { allowDefer: true }, { remainOnConnectionLossFor1to1: true }],
] as const) {
  test(`CLS-10, BYE-1b-i-B, BYE-4-vs-1b: ${label}: the IWF acting for alice is lost (cause=503) while her client is connected: only its leg closes, nothing is torn down or intercepted`, async () => {
    const { h, dev, remotePort, servedPort } = await twoIwfs({ prefs, policy });
    const contribution = `c-served-${Math.random().toString(36).slice(2, 8)}`;
    // the remote IWF stays until the end, then closes what is left of the session
    const remote = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: remotePort, service: 'alice', calls: 1, timeoutSec: 20, keys: iwfKeys('iwf', contribution, 'SIP;cause=200'), extra: ['-d', '5000'] });
    try {
      assert.ok(await waitFor(async () => (await countLegs(h.pf.db.store)) === 2), 'the remote IWF session was not set up');
      const served = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: servedPort, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys('alice-iwf', contribution, 'SIP;cause=503;text="Connection lost"'), extra: ['-d', '800'] });
      expectOk(served, 'served-side IWF');

      const mid = await onlySession(h.pf);
      assert.equal(mid.mode, 'ACTIVE', 'the client is still connected: no remain, no release');
      assert.deepEqual(mid.legs.map((l) => [l.kind, l.state]).sort(), [['CLIENT', 'CONNECTED'], ['IWF', 'CONNECTED'], ['IWF', 'TERMINATED']]);
      assert.equal(JSON.parse(mid.snapshot).interceptEnabled, false);
      const ds = await decisions(h.pf);
      assert.ok(ds.some((d) => d.branch === 'CLS-10'));
      assert.ok(ds.some((d) => d.branch === 'BYE-1b-i-B'), 'the lost IWF leg is handled as a leg error');
      assert.ok(!ds.some((d) => d.branch.startsWith('BYE-4-R') || d.branch === 'BYE-4-P'), `no BYE-4 action: ${ds.map((d) => d.branch).join(' ')}`);

      const r = await remote.done;
      expectOk(r, 'remote IWF');
      const d = await dev.sipp.done;
      expectOk(d, 'device');
      assert.equal(received(d, 'BYE').length, 1, 'the client is released only when the remote IWF leaves');
      assert.match(received(d, 'BYE')[0], /Reason: SIP;cause=200/);
      assert.equal((await onlySession(h.pf)).mode, 'RELEASED');
      assert.equal(await countDeferred(h.pf.db.store), 0);
    } finally {
      await remote.stop();
      await dev.sipp.stop();
      await h.stop();
    }
  });
}

test('BYE-3b, BYE-3b-i, BYE-3c, AMB-4: the remote IWF hangs up: the IWF acting for alice gets a BYE as well as her client; every leg ends released', async () => {
  const { h, dev, remotePort, servedPort } = await twoIwfs({});
  const contribution = `c-close-${Math.random().toString(36).slice(2, 8)}`;
  const remote = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: remotePort, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys('iwf', contribution, 'SIP;cause=200;text="SMS user left"'), extra: ['-d', '2500'] });
  let served: ReturnType<typeof startSipp> | undefined;
  try {
    assert.ok(await waitFor(async () => (await countLegs(h.pf.db.store)) === 2), 'the remote IWF session was not set up');
    // the IWF acting for alice joins the session and stays until the PF releases it
    served = startSipp({ scenario: scenario('network-wait-bye.xml'), target: h.target, localPort: servedPort, service: 'alice', calls: 1, timeoutSec: 15, keys: iwfKeys('alice-iwf', contribution, '') });
    assert.ok(await waitFor(async () => (await countLegs(h.pf.db.store)) === 3), 'the served-side IWF did not join');
    expectOk(await remote.done, 'remote IWF');
    const s = await served.done;
    expectOk(s, 'served-side IWF');
    assert.equal(received(s, 'BYE').length, 1, 'the IWF acting for alice is released with the session');
    assert.match(received(s, 'BYE')[0], /Reason: SIP;cause=200;text="SMS user left"/);
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.equal(received(d, 'BYE').length, 1);
    const end = await onlySession(h.pf);
    assert.equal(end.mode, 'RELEASED');
    assert.ok(end.legs.every((l) => l.state === 'TERMINATED'), JSON.stringify(end.legs.map((l) => [l.kind, l.state])));
  } finally {
    await served?.stop();
    await remote.stop();
    await dev.sipp.stop();
    await h.stop();
  }
});
