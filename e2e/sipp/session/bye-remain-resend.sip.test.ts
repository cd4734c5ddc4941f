// D-261 over real SIP: alice's only client is lost in a group, the PF stays with allow-defer and
// intercepts what the Controlling Function sends; the CF sends the same chat message again (a new
// transaction, same IMDN Message-ID). The user's deferred queue holds it once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listDeferred } from '../../../server/store/deferred-queue';
import { userIdOf } from '../../../server/store/users';
import { freePort } from '../../support/ports';
import { startSipp } from '../../support/sipp';
import { ALICE, decisions, expectOk, networkKeys, scenario, startDevice, startSessionPf } from './session-harness';

test('BYE-4-R-ii-def, D-261: a chat message the network sends again while the PF stands in for a lost client is deferred once', async () => {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs: { allowDefer: true },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 20, extra: ['-d', '2000'] });
  const dev = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '500'] });
  const cf = startSipp({
    scenario: scenario('cf-remain-resend.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 20,
    keys: { ...networkKeys(), focus_port: String(focusPort), reason: 'SIP;cause=410;text="Group ended"' }, extra: ['-d', '1500'],
  });
  try {
    expectOk(await dev.sipp.done, 'lost device');
    expectOk(await cf.done, 'CF (both sends answered 200)');
    const ds = (await decisions(h.pf)).filter((d) => d.branch === 'BYE-4-R-ii');
    assert.deepEqual(ds.map((d) => d.outcome), ['DEFERRED', 'DEFERRED'], 'both sends were intercepted');
    const items = await listDeferred(h.pf.db.store, (await userIdOf(h.pf.db.store, ALICE))!);
    assert.deepEqual(items.map((i) => [i.kind, i.messageId]), [['CHAT_MESSAGE', 'msg-while-away-1']], 'the message sent twice is queued once');
  } finally {
    await dev.sipp.stop();
    await cf.stop();
    await focus.stop();
    await h.stop();
  }
});
