// Overload (issue 17, D-150): a burst far above what the PF is set to hold at once. The excess is
// answered 503 with Retry-After instead of queueing; every request gets a final answer; and every
// MESSAGE answered 202 is in the deferred queue (nothing accepted is lost), nothing else is. The
// PF runs with a small pending limit so that the burst is above capacity on any machine; the lag
// limit is off so the outcome does not depend on how fast this machine is. No timing is asserted.
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

const BURST = 150;

// with the edge on the main thread and on its own (D-285: there it admits by the pending count it
// keeps and the main thread's published lag), the MESSAGEs over the MESSAGE link (the default,
// D-341) and through srf
for (const [edgeThread, messageLink] of [['off', 'on'], ['on', 'on'], ['on', 'off']] as const) test(`overload (edge thread ${edgeThread}, MESSAGE link ${messageLink}): a burst above capacity gets 503 + Retry-After for the excess, a final answer for each request, and the queue holds exactly the 202s`, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-overload-'));
  const databaseUrl = `file:${path.join(dir, 'pf.db')}`;
  const pf = await startPfProcess({
    DATABASE_URL: databaseUrl, SIP_PORT: String(await freePort()), HTTP_PORT: '0',
    PF_OVERLOAD_MAX_PENDING: '2', PF_OVERLOAD_MAX_LAG_MS: '0', PF_SIP_RATE: '0', PF_EDGE_THREAD: edgeThread, PF_MESSAGE_LINK: messageLink,
  });
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 }); // beside the running PF
  const uac = await udpUac();
  try {
    const alice = { id: await requireUserId(db.store, 'sip:alice@example.com') };
    await upsertPolicyRule(db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    assert.equal((await uac.message({ to: pf.sipPort, user: 'alice', text: 'warm-up' })).status, 202);

    // all sent in one turn: they reach the PF faster than it can store them
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `m${i}`, deadlineMs: 30_000 })));
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s !== 202 && s !== 503), [], `every request gets a final answer, 202 or 503: ${statuses.join(',')}`);
    const refused = answers.filter((a) => a.status === 503);
    assert.ok(refused.length > 0, 'the excess is answered 503');
    assert.ok(refused.length < BURST, 'the PF keeps serving under overload');
    assert.deepEqual([...new Set(refused.map((a) => a.retryAfter))], ['1'], 'each 503 says when to retry');

    const queued = new Set((await listDeferred(db.store, alice.id, 100_000)).map((i) => i.sourceKey.split('|')[0]));
    const acked = answers.filter((a) => a.status === 202).map((a) => a.callId);
    assert.deepEqual(acked.filter((c) => !queued.has(c)), [], 'answered 202 but not queued');
    assert.deepEqual(refused.filter((a) => queued.has(a.callId)).map((a) => a.callId), [], 'answered 503 but queued');
    assert.equal(queued.size, acked.length + 1, 'the queue holds the warm-up and the 202s, nothing else');

    // once the burst is answered the PF has its headroom back
    assert.equal((await uac.message({ to: pf.sipPort, user: 'alice', text: 'after' })).status, 202);
  } finally {
    await uac.close();
    await db.close();
    await pf.kill('SIGKILL');
  }
});
