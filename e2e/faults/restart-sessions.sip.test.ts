// Sessions across the end of a PF process, with the PF in a child process and real SIPp peers:
// - D-108: after a crash (SIGKILL) the restarted PF closes the sessions its instance held (RELEASED,
//   legs TERMINATED with the PF's own Reason) and leaves another instance's sessions alone;
// - D-109: a graceful stop (SIGTERM) ends each live session with a BYE to every leg.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CpmSession } from '../../server/engine/model';
import { sessionDetail } from '../../server/http/queries/sessions';
import { openDatabase, type OpenDatabase } from '../../server/store/database';
import { RESTART_REASON, countSessions, getSession, listSessions, upsertSession } from '../../server/store/sessions';
import { startPfProcess, type PfProcess } from '../support/pf-process';
import { freePort } from '../support/ports';
import { startSipp, type SippBackground } from '../support/sipp';
import { startSippWithMsrp } from '../support/sipp-msrp';
import { expectOk, networkKeys, received, registerDevice, scenario, waitFor } from '../sipp/session/session-harness';
import { decisionsInOrder } from '../../server/store/decision-search';

interface Rig {
  env: Record<string, string>;
  pf: PfProcess;
  db: OpenDatabase;
  device: SippBackground;
  cf: SippBackground;
}

/** A PF process on its own database, alice's device registered, and a group session from the CF up. */
async function sessionUp(): Promise<Rig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-restart-'));
  const cfPort = await freePort();
  const topologyFile = path.join(dir, 'topology.json');
  writeFileSync(topologyFile, JSON.stringify({ peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }] }));
  const env = {
    SIP_PORT: String(await freePort()), HTTP_PORT: '0', SIP_TRANSPORTS: 'udp', DATABASE_URL: `file:${path.join(dir, 'pf.db')}`,
    PF_INSTANCE: 'pf-a', PF_TOPOLOGY_FILE: topologyFile, PF_TRUST: 'peers',
  };
  const pf = await startPfProcess(env);
  // beside the running PF, which may hold the write lock for a moment: wait for it (a "moment"
  // exceeded 5 s once in a fresh-clone CI run with both cores busy: the test writes a session then)
  const db = await openDatabase(env.DATABASE_URL, { busyTimeoutMs: 20_000 });
  const target = `127.0.0.1:${pf.sipPort}`;
  const devicePort = await freePort();
  const device = await startSippWithMsrp({ scenario: scenario('device.xml'), localPort: devicePort, calls: 1, timeoutSec: 60 });
  await registerDevice(target, 'alice', devicePort);
  const cf = startSipp({ scenario: scenario('network-wait-bye.xml'), target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 60, keys: networkKeys() });
  const up = await waitFor(async () => (await countSessions(db.store, { mode: 'ACTIVE' })) === 1, 10_000);
  assert.ok(up, 'the session is set up');
  return { env, pf, db, device, cf };
}

async function teardown(r: Rig, more: PfProcess[] = []): Promise<void> {
  await r.cf.stop();
  await r.device.stop();
  await r.db.close();
  for (const p of [r.pf, ...more]) await p.kill('SIGKILL');
}

test('D-108, CLS-1: after a crash, the restarted PF releases the sessions its instance held, with the PF restart Reason; another instance’s are untouched', async () => {
  const r = await sessionUp();
  let again: PfProcess | undefined;
  try {
    const row = (await getSession(r.db.store, (await listSessions(r.db.store))[0].id))!;
    assert.equal(row.instance, 'pf-a');
    assert.ok(row.legs.length >= 2 && row.legs.every((l) => l.state === 'CONNECTED'));
    const held = row.snapshot;
    // a session of another PF sharing the database
    const other: CpmSession = { ...held, id: 'other-instance', legs: held.legs.map((l) => ({ ...l, id: `other-${l.id}`, dialog: { ...l.dialog, callId: `other-${l.dialog.callId}` } })) };
    await upsertSession(r.db.store, row.userId, other, { instance: 'pf-b' });

    await r.pf.kill('SIGKILL');
    again = await startPfProcess(r.env);

    const mine = (await getSession(r.db.store, held.id))!;
    assert.equal(mine.mode, 'RELEASED');
    assert.ok(mine.endedAt, 'endedAt is set');
    assert.equal(mine.snapshot.mode, 'RELEASED');
    for (const l of mine.legs) {
      assert.equal(l.state, 'TERMINATED', `leg ${l.kind}`);
      assert.equal(l.releaseReason, RESTART_REASON);
      assert.ok(l.releasedAt);
    }
    assert.equal((await sessionDetail(r.db.store, held.id)).legsList[0].reason?.meaning, 'closed by the PF itself, no SIP sent');

    const theirs = (await getSession(r.db.store, 'other-instance'))!;
    assert.equal(theirs.mode, 'ACTIVE');
    assert.ok(theirs.legs.every((l) => l.state === 'CONNECTED' && l.releaseReason === null));
  } finally {
    await teardown(r, again ? [again] : []);
  }
});

test('D-109, STOP-1, CLS-1: a graceful stop (SIGTERM) sends BYE with Reason cause=503 to the device and to the CF, and records the session RELEASED', async () => {
  const r = await sessionUp();
  try {
    await r.pf.kill('SIGTERM');
    const cf = await r.cf.done;
    const device = await r.device.done;
    expectOk(cf, 'CF');
    expectOk(device, 'device');
    for (const [who, run] of [['CF', cf], ['device', device]] as const) {
      const byes = received(run, 'BYE');
      assert.equal(byes.length, 1, `${who} gets one BYE`);
      assert.match(byes[0], /Reason: SIP;cause=503;text="PF shutting down"/);
    }
    const s = (await getSession(r.db.store, (await listSessions(r.db.store))[0].id))!;
    assert.equal(s.mode, 'RELEASED');
    assert.ok(s.legs.every((l) => l.state === 'TERMINATED' && l.releaseReason === 'SIP;cause=503;text="PF shutting down"'));
    // the stop's BYEs are the engine's decision, in the log like any other (issue 14)
    const stop = await decisionsInOrder(r.db.store, { branches: ['STOP-1'] });
    assert.deepEqual(stop.map((d) => [d.procedure, d.outcome, d.sessionId]), [['BYE', 'RELEASE', s.id]]);
    assert.equal(r.pf.child.exitCode, 0, r.pf.output());
  } finally {
    await teardown(r);
  }
});
