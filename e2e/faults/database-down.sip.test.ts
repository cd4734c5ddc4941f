// The database unwritable for 10 s (SQLite: another connection holds the write lock). Requests
// that need storage (a MESSAGE to an offline user who allows deferral is queued) must be answered
// 503 with Retry-After, not 500 or silence; the PF recovers by itself when the lock goes; nothing
// answered 202 is lost and nothing is queued twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../server/store/database';
import { freePort } from '../support/ports';
import { startPfProcess } from '../support/pf-process';
import { udpUac } from './udp-uac';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { listDeferred } from '../../server/store/deferred-queue';

test('fault: SQLite write-locked for 10 s; storage requests get 503, the PF recovers alone, every 202 is queued once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-dbdown-'));
  const file = path.join(dir, 'pf.db');
  const pf = await startPfProcess({ DATABASE_URL: `file:${file}`, SIP_PORT: String(await freePort()), HTTP_PORT: '0' });
  const db = await openDatabase(`file:${file}`);
  const uac = await udpUac();
  const locker = new Database(file, { timeout: 1000 });
  try {
    const alice = { id: await requireUserId(db.store, 'sip:alice@example.com') };
    await upsertPolicyRule(db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    const before = await uac.message({ to: pf.sipPort, user: 'alice', text: 'before' });
    assert.equal(before.status, 202);

    locker.exec('BEGIN EXCLUSIVE');
    const lockedAt = Date.now();
    const during = await Promise.all(Array.from({ length: 5 }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `during ${i}`, deadlineMs: 9000 })));
    const outage = Date.now() - lockedAt;
    if (outage < 10_000) await new Promise((r) => setTimeout(r, 10_000 - outage));
    locker.exec('COMMIT');

    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `after ${i}` })));
    assert.deepEqual(after.map((a) => a.status), [202, 202, 202, 202, 202], 'the PF did not recover by itself');
    // during the outage: refused in words a client can act on, or stored; never 500 or silence
    assert.deepEqual(during.map((d) => d.status).filter((s) => s !== 503 && s !== 202), [], `answers during the outage: ${during.map((d) => d.status)}\n${pf.output().slice(-1500)}`);

    const items = await listDeferred(db.store, alice.id, 100_000);
    const callIds = items.map((i) => i.sourceKey.split('|')[0]);
    for (const acked of [before, ...during, ...after].filter((m) => m.status === 202)) {
      assert.equal(callIds.filter((c) => c === acked.callId).length, 1, `${acked.callId} was answered 202 but is queued ${callIds.filter((c) => c === acked.callId).length} times`);
    }
  } finally {
    if (locker.inTransaction) locker.exec('ROLLBACK');
    locker.close();
    await uac.close();
    await db.close();
    await pf.kill('SIGKILL');
  }
});
