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
    const tx = await pf.db.prisma.decision.findMany({ where: { procedure: 'IMDN-TX', branch: { in: ['IMDN-TX-2', 'IMDN-TX-2x'] } }, orderBy: { seq: 'asc' } });
    assert.deepEqual(tx.map((d) => [d.branch, d.outcome]), [['IMDN-TX-2', 'FORWARD'], ['IMDN-TX-2', 'DROP']]);
    const pager = await pf.db.prisma.decision.findMany({ where: { procedure: 'PAGER', branch: '11.1-4' }, orderBy: { seq: 'asc' } });
    assert.deepEqual(pager.map((d) => d.outcome), ['FORK', 'DELIVERED', 'DELIVERED_ALSO']);
  } finally {
    await proxy.stop();
    for (const d of devices) await d.stop();
    await pf.stop();
  }
});
