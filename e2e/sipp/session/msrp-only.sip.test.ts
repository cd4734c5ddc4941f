// D-266: a session's messages travel over MSRP only. A client that sends a SIP MESSAGE inside its
// session dialog gets 405 (the engine's MSRP-ONLY decision); nothing reaches the far side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsrpPeer } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { cpim } from '../../support/sipp-msrp';
import { ALICE, SESSION_ICSI, decisions, startSessionPf } from './session-harness';

test('D-266, MSRP-ONLY: an in-dialog MESSAGE in an anchored 1-1 session is refused with 405 and not relayed', async () => {
  const net = await SipUa.start('bob-pf');
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${net.port}` }], routes: [{ match: '@example\\.net', peer: 'bob-pf' }] },
  });
  const client = await SipUa.start('alice');
  const alicePeer = await MsrpPeer.start('alice');
  const bobPeer = await MsrpPeer.start('bob');
  try {
    net.answerSdp = () => msrpOffer(bobPeer.path);
    assert.equal(await client.register(h.pf.sipAddress.port, ALICE), 200);
    const r = await client.invite(h.pf.sipAddress.port, {
      uri: 'sip:bob@example.net', from: ALICE,
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-msrponly', 'Conversation-ID: conv-msrponly'],
      sdp: msrpOffer(alicePeer.path),
    });
    assert.equal(r.status, 200);
    const body = Buffer.from(cpim({ from: ALICE, to: 'sip:bob@example.net', id: 'mo-1', body: 'over SIP?' }));
    assert.equal(await client.inDialog(h.pf.sipAddress.port, r.dialog!, 'MESSAGE', ['Content-Type: message/cpim'], body), 405);
    assert.equal(net.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 0, 'nothing reached bob\'s side');
    const ds = await decisions(h.pf);
    assert.ok(ds.some((d) => d.branch === 'MSRP-ONLY' && d.outcome === 'REJECT_405'), ds.map((d) => `${d.branch}:${d.outcome}`).join(' '));
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await client.close();
    await net.close();
    await h.stop();
  }
});
