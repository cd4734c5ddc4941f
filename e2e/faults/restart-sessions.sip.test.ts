// A PF restart with a session up (DECISIONS D-108): the dialogs lived in the old process, so the
// new one closes the sessions its instance held (RELEASED, legs TERMINATED with the PF's own
// Reason) and leaves another instance's sessions alone.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CpmSession } from '../../server/engine/model';
import { sessionDetail } from '../../server/http/queries/sessions';
import { RESTART_REASON, upsertSession } from '../../server/store/sessions';
import { freePort } from '../support/ports';
import { startSipp } from '../support/sipp';
import { ALICE, networkKeys, scenario, startDevice, startSessionPf, waitFor } from '../sipp/session/session-harness';

test('D-108, CLS-1: after a restart, the sessions this PF instance held are RELEASED with the PF restart Reason; another instance’s are untouched', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-restart-'));
  const env = { DATABASE_URL: `file:${path.join(dir, 'pf.db')}`, PF_INSTANCE: 'pf-a' };
  const cfPort = await freePort();
  const topology = { peers: [{ role: 'CF' as const, name: 'cf', address: `127.0.0.1:${cfPort}` }] };

  const first = await startSessionPf({ topology, env });
  const dev = await startDevice(first.target, 'device.xml', { timeoutSec: 60 });
  // the CF holds the session far longer than the test: the restart ends it, not the CF
  const cf = startSipp({ scenario: scenario('network-send-bye.xml'), target: first.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 60, keys: { ...networkKeys(), reason: 'SIP;cause=200' }, extra: ['-d', '50000'] });
  let held: CpmSession;
  try {
    const up = await waitFor(async () => (await first.pf.db.prisma.cpmSession.count({ where: { mode: 'ACTIVE' } })) === 1, 10_000);
    assert.ok(up, 'the session is set up');
    const row = await first.pf.db.prisma.cpmSession.findFirstOrThrow({ include: { legs: true } });
    assert.equal(row.instance, 'pf-a');
    assert.ok(row.legs.length >= 2 && row.legs.every((l) => l.state === 'CONNECTED'));
    held = JSON.parse(row.snapshot) as CpmSession;
    // a session of another PF sharing the database
    const other: CpmSession = { ...held, id: 'other-instance', legs: held.legs.map((l) => ({ ...l, id: `other-${l.id}`, dialog: { ...l.dialog, callId: `other-${l.dialog.callId}` } })) };
    await upsertSession(first.pf.db.prisma, row.userId, other, { instance: 'pf-b' });
  } finally {
    await first.stop();
    await cf.stop();
    await dev.sipp.stop();
  }

  const second = await startSessionPf({ topology, env });
  try {
    const db = second.pf.db.prisma;
    const mine = await db.cpmSession.findUniqueOrThrow({ where: { id: held.id }, include: { legs: true } });
    assert.equal(mine.mode, 'RELEASED');
    assert.ok(mine.endedAt, 'endedAt is set');
    assert.equal((JSON.parse(mine.snapshot) as CpmSession).mode, 'RELEASED');
    for (const l of mine.legs) {
      assert.equal(l.state, 'TERMINATED', `leg ${l.kind}`);
      assert.equal(l.releaseReason, RESTART_REASON);
      assert.ok(l.releasedAt);
    }
    const detail = await sessionDetail(db, held.id);
    assert.equal(detail.legsList[0].reason?.meaning, 'closed by the PF itself, no SIP sent');

    const theirs = await db.cpmSession.findUniqueOrThrow({ where: { id: 'other-instance' }, include: { legs: true } });
    assert.equal(theirs.mode, 'ACTIVE');
    assert.ok(theirs.legs.every((l) => l.state === 'CONNECTED' && l.releaseReason === null));
    assert.equal((await db.user.findUniqueOrThrow({ where: { aor: ALICE } })).aor, ALICE);
  } finally {
    await second.stop();
  }
});
