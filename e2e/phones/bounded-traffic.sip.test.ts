// Two stock linphones chatting through the PF for a few seconds produce a bounded number of
// MESSAGEs, and the traffic stops when they stop: no storm between phones through the PF
// (issue 13: the mangled compressed notifications were answered with new ones, without end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPhoneLab } from '../support/phones/with-lab';
import { missingPhonePackages } from '../support/phones/lab';
import { decisions } from '../support/phones/decisions';
import { sleep } from '../support/phones/wait';

const missing = missingPhonePackages(['linphonec', 'tmux']);

/** text messages sent in all, alternating between the two phones */
const TEXTS = 6;

test('two linphones chatting for about 5 s through the PF: at most one notification per message on each side, and no MESSAGE at all once they stop (bounded traffic, no storm)', { skip: missing }, () =>
  withPhoneLab(async (pf, lab) => {
    const alice = await lab.linphone('alice');
    const bob = await lab.linphone('bob');
    await Promise.all([alice.waitRegistered(), bob.waitRegistered()]);

    for (let i = 0; i < TEXTS; i++) {
      const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice];
      from.send(to.aor, `message ${i + 1} from ${from.opts.user}`);
      await to.waitForMessage(from.aor, `message ${i + 1} from ${from.opts.user}`);
      await sleep(800);
    }
    await sleep(2000); // notifications still on their way arrive

    const count = () => ({
      sent: alice.sentMessageCount() + bob.sentMessageCount(),
      received: alice.receivedMessageCount() + bob.receivedMessageCount(),
      decisions: 0,
    });
    const after = { ...count(), decisions: (await decisions(pf)).length };
    // each text: the sender's MESSAGE and the receiver's delivery notification, each relayed once
    const most = 2 * TEXTS;
    assert.ok(after.sent <= most, `the phones sent ${after.sent} MESSAGEs for ${TEXTS} texts (at most ${most} expected)`);
    assert.ok(after.received <= most, `the phones received ${after.received} MESSAGEs for ${TEXTS} texts (at most ${most} expected)`);
    assert.ok(after.decisions <= 10 * TEXTS, `the PF logged ${after.decisions} decisions for ${TEXTS} texts`);

    await sleep(2000);
    const later = { ...count(), decisions: (await decisions(pf)).length };
    assert.deepEqual(later, after, 'no MESSAGE and no decision once the phones stopped writing');
  }));
