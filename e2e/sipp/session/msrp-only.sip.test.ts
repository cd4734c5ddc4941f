// D-266: a session's messages travel over MSRP only. A client that sends a SIP MESSAGE inside its
// session dialog gets 405 (the engine's MSRP-ONLY decision); nothing reaches the far side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAnchoredOneToOne } from '../../support/anchored-session';
import { cpim } from '../../support/sipp-msrp';
import { ALICE, decisions } from './session-harness';

test('D-266, MSRP-ONLY: an in-dialog MESSAGE in an anchored 1-1 session is refused with 405 and not relayed', async () => {
  const { h, net, client, alicePeer, bobPeer, r, close } = await startAnchoredOneToOne('msrponly');
  try {
    const body = Buffer.from(cpim({ from: ALICE, to: 'sip:bob@example.net', id: 'mo-1', body: 'over SIP?' }));
    assert.equal(await client.inDialog(h.pf.sipAddress.port, r.dialog!, 'MESSAGE', ['Content-Type: message/cpim'], body), 405);
    assert.equal(net.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 0, 'nothing reached bob\'s side');
    const ds = await decisions(h.pf);
    assert.ok(ds.some((d) => d.branch === 'MSRP-ONLY' && d.outcome === 'REJECT_405'), ds.map((d) => `${d.branch}:${d.outcome}`).join(' '));
  } finally {
    await close();
  }
});
