// BYE-2 (the Controlling Function ends the group, 410 and 480) and BYE-4-P (a lost client with no
// preference set: the release is passed on) over real SIP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { decisions, expectOk, networkKeys, onlySession, received, scenario, startDevice, startSessionPf } from './session-harness';
import { countDeferred } from '../../../server/store/deferred-queue';
import { findObjects } from '../../../server/store/message-store';

for (const [cause, cls, branch, offline] of [
  [410, 'CLS-5', 'BYE-2-410', true],
  [480, 'CLS-6', 'BYE-2-480', false],
] as const) {
  test(`${branch}, BYE-2a, BYE-2b${offline ? '' : '-x'}, BYE-2e: cause=${cause} from the CF releases alice's client; session ${offline ? 'recorded (allow-offline-storage)' : 'not recorded'}`, async () => {
    const cfPort = await freePort();
    const h = await startSessionPf({
      topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] },
      prefs: { allowOfflineStorage: offline, allowStore: true },
    });
    const dev = await startDevice(h.target, 'device.xml');
    try {
      const reason = `SIP;cause=${cause};text="${cause === 410 ? 'Group ended' : 'Group inactive'}"`;
      const keys = { ...networkKeys({ contribution: `contrib-${cause}` }), reason };
      const cf = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '800'] });
      expectOk(cf, 'CF');
      const d = await dev.sipp.done;
      expectOk(d, 'device');
      const byes = received(d, 'BYE');
      assert.equal(byes.length, 1);
      assert.match(byes[0], new RegExp(`Reason: SIP;cause=${cause}`));

      const s = await onlySession(h.pf);
      assert.equal(s.mode, 'RELEASED');
      assert.ok(s.legs.every((l) => l.state === 'TERMINATED'));
      assert.equal(JSON.parse(s.snapshot).restartable, cause === 480);
      const info = await findObjects(h.pf.db.store, { kind: 'SESSION_INFO' });
      if (offline) {
        assert.equal(info.length, 1, 'Record CPM Session stores the session info object');
        assert.equal(info[0].folder.kind, 'SESSION_HISTORY');
        assert.equal(info[0].folder.contributionId, `contrib-${cause}`);
      } else {
        assert.equal(info.length, 0, 'allow-store alone does not record the session');
      }
      const ds = await decisions(h.pf);
      const branches = ds.map((x) => x.branch);
      for (const b of [cls, branch, offline ? 'BYE-2b' : 'BYE-2b-x', 'BYE-2a', 'BYE-2d', 'BYE-2e']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
      // RECORD_SESSION comes before the client BYEs (build, store, send)
      if (offline) assert.ok(branches.indexOf('BYE-2b') < branches.indexOf('BYE-2a'));
    } finally {
      await dev.sipp.stop();
      await h.stop();
    }
  });
}

test('BYE-4-P, CLS-3: no preference set, the only client is lost (cause=503): 200 to the core at once, BYE with the Reason toward the CF', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] } });
  const dev = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '600'] });
  try {
    const cf = await runSipp({ scenario: scenario('network-wait-bye.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 15, keys: networkKeys() });
    expectOk(cf, 'CF');
    expectOk(await dev.sipp.done, 'device');
    const byes = received(cf, 'BYE');
    assert.equal(byes.length, 1);
    assert.match(byes[0], /Reason: SIP;cause=503;text="Connection lost"/);
    const s = await onlySession(h.pf);
    assert.equal(s.mode, 'RELEASED');
    assert.ok(s.legs.every((l) => l.state === 'TERMINATED'));
    const ds = await decisions(h.pf);
    assert.ok(ds.some((d) => d.branch === 'CLS-3'));
    assert.ok(ds.some((d) => d.branch === 'BYE-4-P' && d.outcome === 'PROPAGATE'));
    assert.ok(!ds.some((d) => d.branch === 'BYE-4-R'));
    assert.equal(await countDeferred(h.pf.db.store), 0);
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
