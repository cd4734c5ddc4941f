// Walking skeleton, end to end over real SIP: SIPp (bob's side) → edge → srf → IMDN-RX → srf →
// SIPp (alice's registered client), with every decision stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/ports';
import { receivedRequests, runSipp, startSipp } from '../support/sipp';
import { startTestPf } from '../support/test-pf';
import { decisionsInOrder } from '../../server/store/decision-search';

test('OPTIONS to the PF is answered 200 by the app through the edge', async () => {
  const pf = await startTestPf();
  try {
    const run = await runSipp({ scenario: 'options.xml', target: `127.0.0.1:${pf.sipAddress.port}`, localPort: await freePort(), calls: 1, timeoutSec: 10 });
    assert.equal(run.code, 0, run.stderr || run.stdout);
  } finally {
    await pf.stop();
  }
});

test('RX-3, RX-2a-i-del, RX-2a-iv-a over SIP: first delivery forwarded, repeat suppressed, display forwarded', async () => {
  const pf = await startTestPf();
  const target = `127.0.0.1:${pf.sipAddress.port}`;
  const clientPort = await freePort();
  const client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 60 });
  try {
    const reg = await runSipp({
      scenario: 'register.xml', target, localPort: await freePort(), calls: 1, timeoutSec: 10,
      keys: { user: 'alice', contact_port: String(clientPort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
    });
    assert.equal(reg.code, 0, `REGISTER failed: ${reg.stderr}`);
    assert.equal(pf.registrar.contacts('sip:alice@example.com', Date.now()).length, 1);

    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target, localPort: await freePort(), service: 'alice',
      inf: 'imdn-rx-three.csv', calls: 3, limit: 1, rate: 10, timeoutSec: 20,
    });
    assert.equal(bob.code, 0, `bob's IMDN MESSAGEs did not all get 200: ${bob.stderr}`);

    const uas = await client.stop();
    assert.equal(receivedRequests(uas.trace, 'MESSAGE'), 2, 'alice\'s client must receive exactly the two non-duplicate IMDNs');
    assert.match(uas.trace, /delivery-notification/);
    assert.match(uas.trace, /display-notification/);

    await pf.decisions.flush();
    const rows = await decisionsInOrder(pf.db.store);
    // Every MESSAGE was dispatched as an IMDN (DSP-1a) and each forwarded one was delivered (DLV-1).
    assert.equal(rows.filter((r) => r.branch === 'DSP-1a').length, 3);
    assert.equal(rows.filter((r) => r.branch === 'IMDN-DLV-1' && r.outcome === 'DELIVERED').length, 2);
    assert.deepEqual(
      rows.filter((r) => r.procedure === 'IMDN-RX').map((r) => [r.branch, r.outcome, r.messageId, r.disposition]),
      [
        ['IMDN-RX-3', 'FORWARD', 'm1', 'delivery'],
        ['IMDN-RX-2a-i', 'DROP', 'm1', 'delivery'],
        ['IMDN-RX-2a-iv', 'FORWARD', 'm1', 'display'],
      ],
    );
  } finally {
    await client.stop();
    await pf.stop();
  }
});
