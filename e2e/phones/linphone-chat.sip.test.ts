// Two stock linphones (alice, bob), no CPM feature tag, registered to a PF with its default
// policy, chat through it both ways with delivery notifications (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPf } from '../support/test-pf';
import { PhoneLab, missingPhonePackages } from '../support/phones/lab';
import { decisions, describe } from '../support/phones/decisions';
import { waitFor } from '../support/phones/wait';

const missing = missingPhonePackages(['linphonec', 'tmux']);

test('stock linphones register without a CPM tag and chat both ways; IMDN-TX and IMDN-RX decided for their delivery notifications (IMDN-DLV-1); each sender shows DeliveredToUser', { skip: missing }, async () => {
  const pf = await startTestPf();
  const lab = new PhoneLab(pf.sipAddress.port);
  try {
    const alice = await lab.linphone('alice');
    const bob = await lab.linphone('bob');
    await Promise.all([alice.waitRegistered(), bob.waitRegistered()]);
    assert.equal(pf.registrar.contacts('sip:alice@example.com', Date.now()).length, 1);
    assert.equal(pf.registrar.contacts('sip:bob@example.com', Date.now()).length, 1);

    bob.send('sip:alice@example.com', 'hello alice from bob');
    await alice.waitForMessage('sip:bob@example.com', 'hello alice from bob');
    alice.send('sip:bob@example.com', 'hello bob from alice');
    await bob.waitForMessage('sip:alice@example.com', 'hello bob from alice');

    // the delivery notification each receiver sent came back to the sender's phone
    await bob.waitForSentState('hello alice from bob', ['DeliveredToUser', 'Displayed']);
    await alice.waitForSentState('hello bob from alice', ['DeliveredToUser', 'Displayed']);

    const bobsId = bob.sentMessageId('hello alice from bob');
    const alicesId = alice.sentMessageId('hello bob from alice');
    const rows = await waitFor('IMDN decisions for both messages', async () => {
      const r = await decisions(pf);
      const has = (proc: string, id: string | undefined) => r.some((d) => d.procedure === proc && d.messageId === id && d.disposition === 'delivery');
      return has('IMDN-TX', bobsId) && has('IMDN-RX', bobsId) && has('IMDN-TX', alicesId) && has('IMDN-RX', alicesId) ? r : undefined;
    }, { timeoutMs: 5000 }).catch(async (e) => assert.fail(`${e.message}\n${describe(await decisions(pf))}`));
    assert.ok(rows.some((d) => d.branch === 'IMDN-DLV-1' && d.outcome === 'DELIVERED'), describe(rows));
  } finally {
    lab.stop();
    await pf.stop();
  }
});
