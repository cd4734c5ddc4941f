// SIGTERM while transactions are in flight: the PF drains them before it exits. Every MESSAGE it
// received before the signal gets a final answer (202 when queued, or 503 if it declines to start
// work while stopping), and everything it queued was acknowledged: nothing is stored unanswered
// (the client would retry it elsewhere and deliver it twice) or answered but not stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/store/database';
import { freePort } from '../support/ports';
import { startPfProcess } from '../support/pf-process';
import { udpUac } from './udp-uac';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { listDeferred } from '../../server/store/deferred-queue';

test('fault: SIGTERM with 40 MESSAGEs in flight; each gets a final answer and the queue holds exactly the 202s', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-drain-'));
  const databaseUrl = `file:${path.join(dir, 'pf.db')}`;
  const pf = await startPfProcess({ DATABASE_URL: databaseUrl, SIP_PORT: String(await freePort()), HTTP_PORT: '0' });
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 }); // beside the running PF
  const uac = await udpUac();
  try {
    const alice = { id: await requireUserId(db.store, 'sip:alice@example.com') };
    await upsertPolicyRule(db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    assert.equal((await uac.message({ to: pf.sipPort, user: 'alice', text: 'warm-up' })).status, 202);

    const inFlight = Promise.all(Array.from({ length: 40 }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `m${i}`, deadlineMs: 15_000 })));
    // loopback: the datagrams are in the PF's socket before the signal
    await new Promise((r) => setTimeout(r, 20));
    pf.child.kill('SIGTERM');
    const answers = await inFlight;
    // The PF answers first and exits after; give it a bounded while to exit on its own.
    if (pf.child.exitCode === null && pf.child.signalCode === null) {
      await Promise.race([new Promise((r) => pf.child.once('exit', r)), new Promise((r) => setTimeout(r, 15_000))]);
    }
    await pf.kill('SIGKILL');
    assert.equal(pf.child.signalCode, null, `the PF did not exit by itself after SIGTERM:\n${pf.output().slice(-1500)}`);

    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s !== 202 && s !== 503), [], `answers: ${statuses.join(',')}`);
    const queued = new Set((await listDeferred(db.store, alice.id, 100_000)).map((i) => i.sourceKey.split('|')[0]));
    const acked = answers.filter((a) => a.status === 202).map((a) => a.callId);
    assert.deepEqual(acked.filter((c) => !queued.has(c)), [], 'answered 202 but not queued');
    assert.deepEqual(answers.filter((a) => a.status !== 202 && queued.has(a.callId)).map((a) => a.callId), [], 'queued but not answered 202');
  } finally {
    await uac.close();
    await db.close();
    await pf.kill('SIGKILL');
  }
});
