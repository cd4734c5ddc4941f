// A phone that goes offline gets what was sent to it when it registers again: the message, and
// the delivery notification for a message it sent (issue 13; IMDN-DLV deferral, 11.1-5 DEFER).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPhoneLab } from '../support/phones/with-lab';
import { missingPhonePackages } from '../support/phones/lab';
import { decisions, describe } from '../support/phones/decisions';
import { waitFor } from '../support/phones/wait';
import { allowDeferral } from '../support/phones/user-prefs';

const missing = missingPhonePackages(['linphonec', 'tmux']);

test('with deferral allowed by the user, a linphone that quit gets its deferred message on registering again (11.1-5 DEFER), and its delivery notification, deferred while the sender was offline in turn (IMDN-DLV-2 DEFER), reaches the sender when it comes back (DeliveredToUser)', { skip: missing }, () =>
  withPhoneLab(async (pf, lab) => {
    const alice = await lab.linphone('alice');
    const bob = await lab.linphone('bob');
    await Promise.all([alice.waitRegistered(), bob.waitRegistered()]);
    // each user allows deferral (Users page); the seeded users have no preference rules
    await allowDeferral(pf, 'sip:alice@example.com');
    await allowDeferral(pf, 'sip:bob@example.com');

    // bob closes his phone (it unregisters); alice writes to him, then closes hers
    await bob.quit();
    assert.equal(pf.registrar.contacts('sip:bob@example.com', Date.now()).length, 0, 'bob unregistered');
    alice.send('sip:bob@example.com', 'while you were away');
    await alice.waitForSentState('while you were away', ['Delivered']); // the PF took it (202)
    const id = alice.sentMessageId('while you were away');
    let rows = await decisions(pf);
    assert.ok(rows.some((d) => d.branch === '11.1-5' && d.outcome === 'DEFER' && d.messageId === id), `message deferred\n${describe(rows)}`);
    await alice.quit();

    // bob comes back: the deferred message is delivered; his phone's delivery notification finds
    // alice offline and waits for her
    bob.restart();
    await bob.waitRegistered();
    await bob.waitForMessage('sip:alice@example.com', 'while you were away');
    rows = await waitFor('the delivery notification to be deferred for alice', async () => {
      const r = await decisions(pf);
      return r.some((d) => d.branch === 'IMDN-DLV-2' && d.outcome === 'DEFER' && d.messageId === id) ? r : undefined;
    }, { timeoutMs: 5000 });

    // alice comes back: her phone gets the notification and shows the message delivered
    alice.restart();
    await alice.waitRegistered();
    await alice.waitForSentState('while you were away', ['DeliveredToUser', 'Displayed']);
    rows = await decisions(pf);
    assert.ok(rows.some((d) => d.procedure === 'IMDN-RX' && d.messageId === id && d.disposition === 'delivery'), describe(rows));
  }));
