// IMDN-TX-2 over real SIP for a standalone message that reaches two devices: bob has two
// registered clients, zed (not served by this PF) sends him a pager-mode message, both devices
// take it and both report it delivered. Seed 8.2.4: "in case the message was delivered to
// multiple endpoints, a similar caching strategy will be followed", so zed gets one report.
// Zed's reports leave through the outbound proxy (a SIPp UAS here), where they are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/ports';
import { receivedRequests, runSipp, startSipp } from '../support/sipp';
import { startTestPf } from '../support/test-pf';
import { withPolicy } from '../../server/engine/policy';
import { conversationFolder, countObjects, findObjects, storeObject } from '../../server/store/message-store';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { countDecisions, decisionsInOrder } from '../../server/store/decision-search';
import { requireUserId } from '../../server/store/users';

async function register(target: string, user: string, contactPort: number): Promise<void> {
  const reg = await runSipp({
    scenario: 'register.xml', target, localPort: await freePort(), calls: 1, timeoutSec: 10,
    keys: { user, contact_port: String(contactPort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
  });
  assert.equal(reg.code, 0, `REGISTER for ${user} failed: ${reg.stderr}`);
}

test('TX-2, 11.1-4 over SIP: a standalone message delivered to two devices; both report delivered, the sender gets one report', async () => {
  const proxyPort = await freePort();
  const proxy = startSipp({ scenario: 'uas-message.xml', localPort: proxyPort, timeoutSec: 30 });
  const pf = await startTestPf({ PF_OUTBOUND_PROXY: `127.0.0.1:${proxyPort}` });
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const ports = [await freePort(), await freePort()];
  const devices = ports.map((port) =>
    startSipp({ scenario: 'client-delivered.xml', localPort: port, calls: 1, timeoutSec: 20, keys: { user: 'bob', peer: 'zed', message_id: 'sa-two' } }),
  );
  try {
    for (const port of ports) await register(target, 'bob', port);
    const zed = await runSipp({
      scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'bob', calls: 1, timeoutSec: 15,
      keys: { from_user: 'zed', message_id: 'sa-two' },
    });
    assert.equal(zed.code, 0, zed.stderr);
    assert.match(zed.trace, /SIP\/2\.0 200 /, 'a device accepted the message');
    for (const d of devices) {
      const run = await d.done;
      assert.equal(run.code, 0, `device: ${run.stderr}\n${run.trace.slice(-1500)}`);
      assert.equal(receivedRequests(run.trace, 'MESSAGE'), 1, 'each device got the message');
    }
    await new Promise((r) => setTimeout(r, 500));
    const out = await proxy.stop();
    assert.equal(receivedRequests(out.trace, 'MESSAGE'), 1, 'exactly one delivery report leaves toward zed');

    await pf.decisions.flush();
    const tx = await decisionsInOrder(pf.db.store, { procedure: 'IMDN-TX', branches: ['IMDN-TX-2', 'IMDN-TX-2x'] });
    assert.deepEqual(tx.map((d) => [d.branch, d.outcome]), [['IMDN-TX-2', 'FORWARD'], ['IMDN-TX-2', 'DROP']]);
    const pager = await decisionsInOrder(pf.db.store, { procedure: 'PAGER', branches: ['11.1-4'] });
    assert.deepEqual(pager.map((d) => d.outcome), ['FORK', 'DELIVERED', 'DELIVERED_ALSO']);
  } finally {
    await proxy.stop();
    for (const d of devices) await d.stop();
    await pf.stop();
  }
});

// IMDN-TX-4 / IMDN-GEN-7 through the whole product, with storage on everywhere (provider recording
// and every preference of every user): the notification bob's client sends, and the one the PF
// generates for carol, are never stored for bob or carol. The same notifications are stored on
// alice's side, where they are received (IMDN-DLV-4a): storage works, it just is not theirs.
test('TX-4-client, TX-4-gen, GEN-7 over SIP: with storage on for everyone, the notifications bob’s client sends and the PF generates for carol are stored only on the receiving side', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const id = (user: string) => requireUserId(pf.db.store, `sip:${user}@example.com`);
  for (const user of ['alice', 'bob', 'carol']) {
    await upsertPolicyRule(pf.db.store, await id(user), { ruleId: 'all', serviceEnablers: ['CPM'], allowStore: true, allowOfflineStorage: true, allowDefer: false }, 'test');
  }
  pf.state.policy = withPolicy({ recordingEnabled: true });
  // alice's sent messages are in her store (her client would have recorded them): IMDN-DLV-4a
  // stores the notifications about them beside them
  for (const messageId of ['sa-tx4', 'sa-tx4-c']) {
    const folder = await conversationFolder(pf.db.store, await id('alice'), `conv-${messageId}`);
    await storeObject(pf.db.store, { userId: await id('alice'), folderId: folder.id, object: { kind: 'MESSAGE', contentType: 'text/plain', headers: {}, body: 'hello', imdnMessageId: messageId } });
  }
  const alicePort = await freePort();
  const bobPort = await freePort();
  const aliceClient = startSipp({ scenario: 'uas-message.xml', localPort: alicePort, timeoutSec: 30 });
  const bobClient = startSipp({ scenario: 'client-delivered.xml', localPort: bobPort, calls: 1, timeoutSec: 20, keys: { user: 'bob', peer: 'alice', message_id: 'sa-tx4' } });
  try {
    await register(target, 'alice', alicePort);
    await register(target, 'bob', bobPort);
    // bob's client takes alice's message and reports it delivered (TX-4-client)
    const toBob = await runSipp({ scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'bob', calls: 1, timeoutSec: 15, keys: { from_user: 'alice', message_id: 'sa-tx4' } });
    assert.equal(toBob.code, 0, toBob.stderr);
    assert.equal((await bobClient.done).code, 0);
    // carol has no client and no deferral: the PF reports <failed/> on her behalf (TX-4-gen)
    const toCarol = await runSipp({ scenario: 'uac-standalone.xml', target, localPort: await freePort(), service: 'carol', calls: 1, timeoutSec: 15, keys: { from_user: 'alice', message_id: 'sa-tx4-c' } });
    assert.match(toCarol.trace, /SIP\/2\.0 480 /);

    const aliceId = await id('alice');
    let aliceImdns: Array<{ imdnMessageId: string | null; body: string }> = [];
    for (let i = 0; i < 100 && aliceImdns.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      aliceImdns = await findObjects(pf.db.store, { userId: aliceId, kind: 'IMDN' });
    }
    assert.equal(aliceImdns.length, 2, 'alice, who receives both notifications, stores them (positive control)');
    assert.ok(aliceImdns.some((o) => /<delivered\/>/.test(o.body)) && aliceImdns.some((o) => /<failed\/>/.test(o.body)));

    for (const user of ['bob', 'carol']) {
      const objects = await findObjects(pf.db.store, { userId: await id(user) });
      assert.deepEqual(objects.filter((o) => o.kind === 'IMDN'), [], `${user}'s store holds no notification`);
    }
    assert.ok((await countObjects(pf.db.store, { userId: await id('bob'), kind: 'MESSAGE' })) === 1, 'bob’s copy of the message itself is stored (recording works for bob)');
    await pf.decisions.flush();
    assert.equal(await countDecisions(pf.db.store, { branches: ['IMDN-TX-4'] }), 1);
    assert.equal(await countDecisions(pf.db.store, { branches: ['IMDN-GEN-1'] }), 1);
  } finally {
    await aliceClient.stop();
    await bobClient.stop();
    await pf.stop();
  }
});
