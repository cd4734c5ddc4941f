// Issue 5's IMDN procedures over real SIP: every IMDN-RX duplicate rule, deferral of IMDNs for an
// offline user and their delivery at registration, \Seen from a read report, and a negative
// delivery report generated when a message cannot be delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conversationFolder, countObjects, findObjects, storeObject } from '../../server/store/message-store';
import { freePort } from '../support/ports';
import { receivedRequests, runSipp, SCENARIOS, startSipp, type SippBackground } from '../support/sipp';
import { startTestPf } from '../support/test-pf';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { countDeferred, listDeferred } from '../../server/store/deferred-queue';
import { countDecisions, decisionsInOrder } from '../../server/store/decision-search';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';

async function registerClient(target: string, user: string, contactPort: number, userAgent = 'CPM-client/OMA2.2 sipp'): Promise<void> {
  const reg = await runSipp({
    scenario: 'register.xml', target, localPort: await freePort(), calls: 1, timeoutSec: 10,
    keys: { user, contact_port: String(contactPort), expires: '300', user_agent: userAgent },
  });
  assert.equal(reg.code, 0, `REGISTER for ${user} failed: ${reg.stderr}`);
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('RX-3, RX-2b, RX-2a-i, RX-2a-ii-1, RX-2a-iii-1, RX-2a-iv, RX-status-rank-1 over SIP: the client gets exactly the non-duplicates', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const clientPort = await freePort();
  const client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 60 });
  try {
    await registerClient(target, 'alice', clientPort);
    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target, localPort: await freePort(), service: 'alice',
      inf: 'imdn-rx-branches.csv', calls: 8, limit: 1, rate: 20, timeoutSec: 30,
    });
    assert.equal(bob.code, 0, bob.stderr);
    const uas = await client.stop();
    assert.equal(receivedRequests(uas.trace, 'MESSAGE'), 5);

    await pf.decisions.flush();
    const rx = await decisionsInOrder(pf.db.store, { procedure: 'IMDN-RX' });
    assert.deepEqual(
      rx.map((r) => [r.messageId, r.disposition, r.branch, r.outcome]),
      [
        ['m1', 'delivery', 'IMDN-RX-3', 'FORWARD'],
        ['m1', 'delivery', 'IMDN-RX-2a-i', 'DROP'],
        ['m1', 'display', 'IMDN-RX-2a-iv', 'FORWARD'],
        ['m1', 'interworking', 'IMDN-RX-2a-iii-1', 'DROP'],
        ['m2', 'interworking', 'IMDN-RX-2b', 'FORWARD'],
        ['m2', 'delivery', 'IMDN-RX-2a-ii-1', 'DROP'],
        ['m3', 'delivery', 'IMDN-RX-2b', 'FORWARD'],
        ['m3', 'delivery', 'IMDN-RX-2a-iv', 'FORWARD'],
      ],
    );
  } finally {
    await client.stop();
    await pf.stop();
  }
});

test('DLV-2, DLV-2c over SIP: IMDNs for an offline user get 202 and are queued; they reach the client when it registers', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const clientPort = await freePort();
  let client: ReturnType<typeof startSipp> | undefined;
  try {
    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target, localPort: await freePort(), service: 'alice',
      inf: 'imdn-rx-three.csv', calls: 3, limit: 1, rate: 20, timeoutSec: 20,
    });
    assert.equal(bob.code, 0, bob.stderr);
    assert.equal((bob.trace.match(/SIP\/2\.0 202 /g) ?? []).length, 2, 'the two non-duplicates are deferred (202)');
    assert.equal((bob.trace.match(/SIP\/2\.0 200 /g) ?? []).length, 1, 'the duplicate is dropped (200)');
    const queued = await listDeferred(pf.db.store, undefined, 500, { state: 'UNDELIVERED' });
    assert.equal(queued.length, 2);
    assert.ok(queued.every((q) => q.kind === 'IMDN' && q.messageId === 'm1'));

    client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 60 });
    await registerClient(target, 'alice', clientPort);
    await waitFor(async () => (await countDeferred(pf.db.store, { state: 'UNDELIVERED' })) === 0);
    const uas = await client.stop();
    assert.equal(receivedRequests(uas.trace, 'MESSAGE'), 2);
    await pf.decisions.flush();
    assert.equal(await countDecisions(pf.db.store, { branches: ['IMDN-DLV-2'], outcome: 'REDELIVER' }), 2);
  } finally {
    await client?.stop();
    await pf.stop();
  }
});

test('TX-3 over SIP: bob reads alice\'s stored message; \\Seen is set on it and the report goes on to alice', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const bobId = (await requireUserId(pf.db.store, BOB));
  await upsertPolicyRule(pf.db.store, bobId, { ruleId: 'store', serviceEnablers: ['CPM'], allowStore: true }, 'test');
  const bobPort = await freePort();
  const bobClient = startSipp({
    scenario: 'client-display.xml', localPort: bobPort, calls: 1, timeoutSec: 30,
    keys: { user: 'bob', peer: 'alice', message_id: 'sa-1' },
  });
  try {
    await registerClient(target, 'bob', bobPort);
    const alice = await runSipp({
      scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'bob', calls: 1, timeoutSec: 15,
      keys: { from_user: 'alice', message_id: 'sa-1' },
    });
    assert.equal(alice.code, 0, alice.stderr);
    assert.match(alice.trace, /SIP\/2\.0 200 /, 'bob\'s client accepted the message');
    const done = await bobClient.done;
    assert.equal(done.code, 0, `bob's client: ${done.stderr}`);

    const [stored] = await findObjects(pf.db.store, { userId: bobId, imdnMessageId: 'sa-1' });
    assert.equal(stored.kind, 'MESSAGE');
    assert.deepEqual(stored.flags, ['\\Seen']);
    await pf.decisions.flush();
    assert.equal(await countDecisions(pf.db.store, { branches: ['IMDN-TX-3'] }), 1);
    // The read report reached alice's side: her PF (this one) deferred it, she has no client.
    const aliceId = (await requireUserId(pf.db.store, ALICE));
    const forAlice = await listDeferred(pf.db.store, aliceId);
    assert.equal(forAlice.length, 1);
    assert.match(forAlice[0].body, /<displayed\/>/);
  } finally {
    await bobClient.stop();
    await pf.stop();
  }
});

test('GEN-1 over SIP: a message alice cannot receive (offline, no deferral) gets 480 and bob gets a <failed/> report', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const bobPort = await freePort();
  const bobClient = startSipp({ scenario: 'uas-message.xml', localPort: bobPort, timeoutSec: 60 });
  try {
    await registerClient(target, 'bob', bobPort);
    const bob = await runSipp({
      scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 15,
      keys: { from_user: 'bob', message_id: 'sa-2' },
    });
    assert.equal(bob.code, 0, bob.stderr);
    assert.match(bob.trace, /SIP\/2\.0 480 /);
    // The generated report is delivered to bob's client asynchronously, after the 480.
    await waitFor(async () => {
      await pf.decisions.flush();
      return (await countDecisions(pf.db.store, { branches: ['IMDN-DLV-1'], outcome: 'DELIVERED' })) === 1;
    });
    const uas = await bobClient.stop();
    assert.equal(receivedRequests(uas.trace, 'MESSAGE'), 1);
    assert.match(uas.trace, /<message-id>sa-2<\/message-id>/);
    assert.match(uas.trace, /<failed\/>/);
    assert.doesNotMatch(uas.trace, /imdn\.Disposition-Notification/i, 'a notification never asks for notifications');
    await pf.decisions.flush();
    assert.equal(await countDecisions(pf.db.store, { branches: ['IMDN-GEN-1'] }), 1);
  } finally {
    await bobClient.stop();
    await pf.stop();
  }
});

test('DSP-4d over SIP: a deferred-messages SUBSCRIBE gets 200 (never 202), a NOTIFY follows, and the deferred items go to the Message Store', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  try {
    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target, localPort: await freePort(), service: 'alice',
      inf: 'imdn-rx-three.csv', calls: 3, limit: 1, rate: 20, timeoutSec: 20,
    });
    assert.equal(bob.code, 0, bob.stderr);
    const aliceId = (await requireUserId(pf.db.store, ALICE));
    assert.equal(await countDeferred(pf.db.store, { userId: aliceId, state: 'UNDELIVERED' }), 2);

    const sub = await runSipp({ scenario: 'subscribe-deferred.xml', target, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 15 });
    assert.equal(sub.code, 0, `SUBSCRIBE flow failed: ${sub.stderr}`);
    assert.match(sub.trace, /NOTIFY sip:/);
    assert.match(sub.trace, /Subscription-State: active;expires=600/);
    await waitFor(async () => (await countDeferred(pf.db.store, { userId: aliceId, state: 'UNDELIVERED' })) === 0);
    const stored = await findObjects(pf.db.store, { userId: aliceId });
    assert.equal(stored.length, 2);
    assert.ok(stored.every((o) => o.kind === 'IMDN' && o.imdnMessageId === 'm1'));
    await pf.decisions.flush();
    assert.equal(await countDecisions(pf.db.store, { branches: ['DSP-4'] }), 1);
  } finally {
    await pf.stop();
  }
});

test('GEN-1-exp over SIP: a deferred message that expires undelivered gets bob a <failed/> report', async () => {
  const pf = await startTestPf({ PF_DEFERRED_TTL_SEC: '1' });
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const bobPort = await freePort();
  const bobClient = startSipp({ scenario: 'uas-message.xml', localPort: bobPort, timeoutSec: 60 });
  try {
    const alice = { id: await requireUserId(pf.db.store, ALICE) };
    await upsertPolicyRule(pf.db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    await registerClient(target, 'bob', bobPort);
    const bob = await runSipp({
      scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 15,
      keys: { from_user: 'bob', message_id: 'sa-exp' },
    });
    assert.equal(bob.code, 0, bob.stderr);
    assert.match(bob.trace, /SIP\/2\.0 202 /, 'deferred for alice');
    assert.equal(await pf.expireDeferredNow(), 0, 'not yet expired');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await pf.expireDeferredNow(), 1);
    await waitFor(async () => {
      await pf.decisions.flush();
      return (await countDecisions(pf.db.store, { branches: ['IMDN-DLV-1'], outcome: 'DELIVERED' })) === 1;
    });
    const uas = await bobClient.stop();
    assert.equal(receivedRequests(uas.trace, 'MESSAGE'), 1);
    assert.match(uas.trace, /<message-id>sa-exp<\/message-id>/);
    assert.match(uas.trace, /<failed\/>/);
    assert.equal(await countDeferred(pf.db.store, { userId: alice.id, state: 'EXPIRED' }), 1);
  } finally {
    await bobClient.stop();
    await pf.stop();
  }
});

test('IMDN-DLV-4a over SIP: with a CPM allow-offline-storage rule the delivered notification is stored beside its original; without one nothing is stored', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const db = pf.db.store;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-dlv4-'));
  const alice = { id: await requireUserId(db, ALICE) };
  const carol = { id: await requireUserId(db, 'sip:carol@example.com') };
  // alice keeps her messages (XDMS rule); carol has no rule
  await upsertPolicyRule(db, alice.id, { ruleId: 'cpm', serviceEnablers: ['CPM'], allowOfflineStorage: true, allowStore: true, allowDefer: false }, 'test');
  const folders: Record<string, string> = {};
  for (const u of [alice, carol]) {
    const folder = await conversationFolder(db, u.id, 'conv-store');
    folders[u.id] = folder.id;
    await storeObject(db, { userId: u.id, folderId: folder.id, object: { kind: 'MESSAGE', contentType: 'text/plain', headers: {}, body: 'hello', imdnMessageId: `orig-${u.id}` } });
  }
  // started inside the try: a failed REGISTER must still stop them, or the file hangs until its timeout
  const clients: SippBackground[] = [];
  try {
    await Promise.all(['alice', 'carol'].map(async (user) => {
      const port = await freePort();
      clients.push(startSipp({ scenario: 'uas-message.xml', localPort: port, timeoutSec: 60 }));
      await registerClient(target, user, port);
    }));
    for (const u of [{ name: 'alice', id: alice.id }, { name: 'carol', id: carol.id }]) {
      const csv = path.join(dir, `${u.name}.csv`);
      writeFileSync(csv, `SEQUENTIAL\norig-${u.id};delivery-notification;delivered;delivery-notification\n`);
      const bob = await runSipp({ scenario: 'uac-imdn.xml', target, localPort: await freePort(), service: u.name, inf: path.relative(SCENARIOS, csv), calls: 1, timeoutSec: 15 });
      assert.equal(bob.code, 0, bob.stderr);
    }
    await waitFor(async () => (await countObjects(db, { kind: 'IMDN' })) > 0);
    await pf.decisions.flush();
    const stored = await findObjects(db, { kind: 'IMDN' });
    assert.equal(stored.length, 1, 'only alice stores the notification');
    assert.equal(stored[0].folderId, folders[alice.id], 'in the folder of the original message');
    assert.ok(stored[0].body.includes(`<message-id>orig-${alice.id}</message-id>`), 'the stored object is the notification about the original');
    const dlv4 = await decisionsInOrder(db, { branch: 'IMDN-DLV-4' });
    assert.ok(dlv4.some((d) => d.branch === 'IMDN-DLV-4a' && d.outcome === 'STORE' && d.servedUser === ALICE));
    assert.ok(!dlv4.some((d) => d.outcome === 'STORE' && d.servedUser !== ALICE), 'carol has no storage rule');
  } finally {
    for (const c of clients) await c.stop();
    await pf.stop();
  }
});

test('11.1-5, D-313 over SIP: allow-defer set through another instance\'s console (written to the shared database, no policyChanged here) applies here after the re-read: 480 before, 202 after', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const bobPort = await freePort();
  const bobClient = startSipp({ scenario: 'uas-message.xml', localPort: bobPort, timeoutSec: 60 });
  const send = async (n: number) => {
    const r = await runSipp({ scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 15, keys: { from_user: 'bob', message_id: `d313-${n}` } });
    assert.equal(r.code, 0, r.stderr);
    return /SIP\/2\.0 202 /.test(r.trace) ? 202 : /SIP\/2\.0 480 /.test(r.trace) ? 480 : 0;
  };
  try {
    await registerClient(target, 'bob', bobPort);
    assert.equal(await send(0), 480, 'alice is offline and does not allow deferral');
    const alice = await requireUserId(pf.db.store, ALICE);
    await upsertPolicyRule(pf.db.store, alice, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'console@instance-b');
    let status = 480;
    for (let n = 1; n <= 20 && status !== 202; n++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await send(n);
    }
    assert.equal(status, 202, 'the edit made on another instance never applied here');
  } finally {
    await bobClient.stop();
    await pf.stop();
  }
});
