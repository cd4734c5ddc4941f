// BYE-2 from bob's PF while another connection writes the database all the time, as the decision
// log's thread does (D-250): every step of the session must still be written, or the console
// shows a leg that is long gone as live (the session-real console test under load, D-289).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { startSipp } from '../../support/sipp';
import { startSecondWriter } from '../../support/sqlite-writer';
import { sqliteFileOf } from '../../../server/store/open-client';
import { getSession, listSessions } from '../../../server/store/sessions';
import { expectOk, networkKeys, received, scenario, startDevice, startSessionPf, waitFor } from './session-harness';

test('BYE-2a, BYE-2d, BYE-2e, CLS-7: bob\'s PF releases a 1-1 session while a second connection keeps writing the database: the session is stored RELEASED with both legs TERMINATED', async () => {
  const bobPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${bobPort}` }] } });
  const dev = await startDevice(h.target, 'device.xml');
  let writer: Awaited<ReturnType<typeof startSecondWriter>> | undefined;
  try {
    const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '' }), reason: 'SIP;cause=200;text="Call completed"' };
    const bob = startSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: bobPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '1500'] });
    const active = await waitFor(async () => {
      const [s] = await listSessions(h.pf.db.store);
      return s?.mode === 'ACTIVE';
    });
    assert.ok(active, 'the session is stored ACTIVE before the BYE');
    // from here until the release is over, the PF's writes share the file with another writer
    writer = await startSecondWriter(sqliteFileOf(h.pf.config.databaseUrl));
    const b = await bob.done;
    expectOk(b, 'bob\'s PF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.equal(received(d, 'BYE').length, 1, 'the BYE is passed on to alice\'s device');

    const [row] = await listSessions(h.pf.db.store);
    // the PF's steps are over once both BYEs are answered; give its last write a moment
    await waitFor(async () => (await getSession(h.pf.db.store, row.id))?.mode === 'RELEASED', 2000);
    const commits = await writer.stop();
    writer = undefined;
    assert.ok(commits > 0, 'the second writer wrote while the session was released');
    const s = (await getSession(h.pf.db.store, row.id))!;
    assert.equal(s.mode, 'RELEASED', 'the release is stored');
    assert.deepEqual(s.legs.map((l) => l.state), ['TERMINATED', 'TERMINATED'], 'both legs are stored TERMINATED');
  } finally {
    await writer?.stop();
    await dev.sipp.stop();
    await h.stop();
  }
});
