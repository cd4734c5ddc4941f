// Nothing the PF acknowledged is lost: a SIGKILL in the middle of a burst of standalone messages to
// an offline user who allows deferral. After a restart on the same database, every MESSAGE that
// was answered 202 is in the deferred queue exactly once, and all of them reach the user's client
// when it registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/store/database';
import { freePort } from '../support/ports';
import { startPfProcess } from '../support/pf-process';
import { receivedRequests, runSipp, startSipp } from '../support/sipp';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { countDeferred, listDeferred } from '../../server/store/deferred-queue';

const ALICE = 'sip:alice@example.com';

/** Call-IDs whose MESSAGE SIPp saw answered with this status. */
function answeredCallIds(trace: string, status: number): Set<string> {
  const ids = new Set<string>();
  for (const block of trace.split(/-{20,}/)) {
    if (!new RegExp(`message received[^\\n]*\\n+SIP/2\\.0 ${status} `).test(block)) continue;
    const m = /^Call-ID:\s*(\S+)/im.exec(block);
    if (m) ids.add(m[1]);
  }
  return ids;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('crash: SIGKILL during 2,000 MESSAGEs to an offline user with allow-defer; every 202 is queued exactly once and delivered at registration', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-crash-'));
  const databaseUrl = `file:${path.join(dir, 'pf.db')}`;
  const env = { DATABASE_URL: databaseUrl, SIP_PORT: String(await freePort()), HTTP_PORT: '0' };
  let pf = await startPfProcess(env);
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 }); // beside the running PF
  try {
    const alice = { id: await requireUserId(db.store, ALICE) };
    await upsertPolicyRule(db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    const queued = () => countDeferred(db.store, { userId: alice.id });

    const target = `127.0.0.1:${pf.sipPort}`;
    const load = startSipp({ scenario: 'uac-pager-load.xml', target, localPort: await freePort(), service: 'alice', calls: 2000, rate: 400, limit: 300, timeoutSec: 25 });
    await until(async () => (await queued()) >= 300, 20_000).catch(async (e) => {
      throw new Error(`${e.message}: queued ${await queued()} before the kill\n${pf.output().slice(-1500)}`);
    });
    await pf.kill('SIGKILL');
    const atKill = await queued();
    // Restart at once: SIPp keeps retransmitting unanswered MESSAGEs, which must not queue twice.
    pf = await startPfProcess(env);
    const run = await load.done;
    // SIPp has stopped; let the restarted PF finish the datagrams it already received.
    let last = -1;
    await until(async () => {
      const n = await queued();
      const stable = n === last;
      last = n;
      await new Promise((r) => setTimeout(r, 500));
      return stable;
    }, 30_000);
    const acked = answeredCallIds(run.trace, 202);
    assert.ok(acked.size >= 300, `only ${acked.size} MESSAGEs were answered 202`);

    const items = await listDeferred(db.store, alice.id, 100_000);
    const perCall = new Map<string, number>();
    for (const i of items) {
      const callId = i.sourceKey.split('|')[0];
      perCall.set(callId, (perCall.get(callId) ?? 0) + 1);
    }
    const missing = [...acked].filter((c) => !perCall.has(c));
    assert.deepEqual(missing, [], 'a MESSAGE answered 202 is missing from the queue');
    assert.ok([...perCall.values()].every((n) => n === 1), 'a MESSAGE was queued more than once');
    assert.ok(items.length >= atKill);

    const clientPort = await freePort();
    const client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 90 });
    try {
      const reg = await runSipp({
        scenario: 'register.xml', target: `127.0.0.1:${pf.sipPort}`, localPort: await freePort(), calls: 1, timeoutSec: 10,
        keys: { user: 'alice', contact_port: String(clientPort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
      });
      assert.equal(reg.code, 0, reg.stderr);
      await until(async () => (await countDeferred(db.store, { userId: alice.id, state: 'UNDELIVERED' })) === 0, 60_000).catch(async (e) => {
        const left = await countDeferred(db.store, { userId: alice.id, state: 'UNDELIVERED' });
        throw new Error(`${e.message}: ${left} of ${items.length} still queued\n${pf.output().slice(-2000)}`);
      });
      const uas = await client.stop();
      assert.equal(receivedRequests(uas.trace, 'MESSAGE'), items.length, 'each queued message is delivered once');
    } finally {
      await client.stop();
    }
  } finally {
    await pf.kill('SIGTERM');
    await db.close();
  }
});
