// Two stock linphones (alice, bob), no CPM feature tag, registered to a PF with its default
// policy, chat through it both ways with delivery notifications (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPhoneLab } from '../support/phones/with-lab';
import { missingPhonePackages } from '../support/phones/lab';
import { decisions, describe } from '../support/phones/decisions';
import { waitFor } from '../support/phones/wait';

const missing = missingPhonePackages(['linphonec', 'tmux']);

test('stock linphones register without a CPM tag and a message reaches the other phone both ways (11.1-4 DELIVERED)', { skip: missing }, () =>
  withPhoneLab(async (pf, lab) => {
    const alice = await lab.linphone('alice');
    const bob = await lab.linphone('bob');
    await Promise.all([alice.waitRegistered(), bob.waitRegistered()]);
    assert.equal(pf.registrar.contacts('sip:alice@example.com', Date.now()).length, 1);
    assert.equal(pf.registrar.contacts('sip:bob@example.com', Date.now()).length, 1);

    bob.send('sip:alice@example.com', 'hello alice from bob');
    await alice.waitForMessage('sip:bob@example.com', 'hello alice from bob');
    alice.send('sip:bob@example.com', 'hello bob from alice');
    await bob.waitForMessage('sip:alice@example.com', 'hello bob from alice');

    const ids = [bob.sentMessageId('hello alice from bob'), alice.sentMessageId('hello bob from alice')];
    assert.ok(ids.every(Boolean), 'linphone gives every message an IMDN Message-ID (CPIM)');
    const rows = await decisions(pf);
    for (const id of ids) {
      assert.ok(rows.some((d) => d.branch === '11.1-4' && d.outcome === 'DELIVERED' && d.messageId === id), `11.1-4 DELIVERED for ${id}\n${describe(rows)}`);
    }
  }));

test('IMDN-TX and IMDN-RX over real phones: each linphone\'s delivery notification is decided (IMDN-DLV-1) and the sender\'s phone shows DeliveredToUser, both ways', { skip: missing }, () =>
  withPhoneLab(async (pf, lab) => {
    const alice = await lab.linphone('alice');
    const bob = await lab.linphone('bob');
    await Promise.all([alice.waitRegistered(), bob.waitRegistered()]);

    bob.send('sip:alice@example.com', 'did you get this, alice?');
    await alice.waitForMessage('sip:bob@example.com', 'did you get this, alice?');
    await bob.waitForSentState('did you get this, alice?', ['DeliveredToUser', 'Displayed']);
    alice.send('sip:bob@example.com', 'yes bob, and this?');
    await bob.waitForMessage('sip:alice@example.com', 'yes bob, and this?');
    await alice.waitForSentState('yes bob, and this?', ['DeliveredToUser', 'Displayed']);

    const ids = [bob.sentMessageId('did you get this, alice?'), alice.sentMessageId('yes bob, and this?')];
    // the sender's phone shows DeliveredToUser when the notification reaches it, before its 200
    // to the PF does: IMDN-DLV-1 DELIVERED (the fork's outcome) is waited for, not assumed
    const delivered = (r: Awaited<ReturnType<typeof decisions>>, id: string | undefined) => r.some((d) => d.branch === 'IMDN-DLV-1' && d.outcome === 'DELIVERED' && d.messageId === id);
    const rows = await waitFor('IMDN-TX, IMDN-RX and IMDN-DLV-1 DELIVERED delivery decisions for both messages', async () => {
      const r = await decisions(pf);
      const has = (proc: string, id: string | undefined) => r.some((d) => d.procedure === proc && d.messageId === id && d.disposition === 'delivery');
      return ids.every((id) => has('IMDN-TX', id) && has('IMDN-RX', id) && delivered(r, id)) ? r : undefined;
    }).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${describe(await decisions(pf))}`);
    });
    for (const id of ids) {
      assert.ok(rows.some((d) => d.branch === 'IMDN-DLV-1' && d.outcome === 'DELIVERED' && d.messageId === id), `IMDN-DLV-1 DELIVERED for ${id}\n${describe(rows)}`);
    }
  }));
