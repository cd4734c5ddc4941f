// A stock baresip (carol) messages a stock linphone (alice) through the PF (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPhoneLab } from '../support/phones/with-lab';
import { missingPhonePackages } from '../support/phones/lab';
import { decisions, describe } from '../support/phones/decisions';

const missing = missingPhonePackages(['linphonec', 'baresip', 'tmux']);

test('a baresip user (carol) messages a linphone user (alice): the text arrives, carol gets 200 (11.1-4 DELIVERED), and alice\'s notification to carol ends in one bounded exchange', { skip: missing }, () =>
  withPhoneLab(async (pf, lab) => {
    const alice = await lab.linphone('alice');
    const carol = await lab.baresip('carol', { contact: 'sip:alice@example.com' });
    await Promise.all([alice.waitRegistered(), carol.waitRegistered()]);
    assert.equal(pf.registrar.contacts('sip:carol@example.com', Date.now()).length, 1);

    const code = await carol.send('hi alice, carol here');
    assert.equal(code, 200, 'carol\'s MESSAGE is accepted');
    await alice.waitForMessage('sip:carol@example.com', 'hi alice, carol here');
    const rows = await decisions(pf);
    assert.ok(rows.some((d) => d.branch === '11.1-4' && d.outcome === 'DELIVERED'), describe(rows));

    // linphone answers every message with a delivery notification; baresip takes only text/plain
    // (415). Whatever the PF does with that, it must not turn into a loop.
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(alice.sentMessageCount() <= 3, `alice's phone sent ${alice.sentMessageCount()} MESSAGEs for one received message`);
  }));
