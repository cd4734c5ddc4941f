// D-267: the network side's MSRP connection lost without a BYE. Without its media the other
// user's PF (or the CF) cannot take part in the session any more: the PF handles it as that side
// releasing (a BYE with cause 503 from it, CLS-7 → BYE-2), ends the network dialog itself with a
// BYE 503, and releases alice's client as BYE-2 says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsrpPeer, until } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { headerOf } from '../../support/raw-sip';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { cpim } from '../../support/sipp-msrp';
import { ALICE, SESSION_ICSI, decisions, onlySession, startSessionPf, waitFor } from './session-harness';

test('D-267, CLS-MSRP, CLS-7, BYE-2a: bob\'s PF loses its MSRP connection without a BYE: the PF ends that dialog (BYE 503) and releases alice\'s client as a remote release', async () => {
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
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-netlost', 'Conversation-ID: conv-netlost'],
      sdp: msrpOffer(alicePeer.path),
    });
    assert.equal(r.status, 200);
    alicePeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await alicePeer.connect()).code, 200);
    await bobPeer.accepted();
    const hello = alicePeer.send(cpim({ from: ALICE, to: 'sip:bob@example.net', id: 'nl-1', body: 'hello bob' }), { contentType: 'message/cpim' });
    assert.equal((await alicePeer.response(hello.tids[0])).code, 200);

    // bob's side loses its MSRP connection; its SIP dialog says nothing
    bobPeer.drop();
    const [bye] = await net.waitFor('BYE', 1, 10_000);
    assert.match(headerOf(bye, 'Reason') ?? '', /cause=503/, 'the network side learns why its dialog ends');
    const [toAlice] = await client.waitFor('BYE', 1, 10_000);
    assert.ok(toAlice, 'alice\'s client is released (BYE-2a)');
    await until(() => alicePeer.closed, 'alice\'s MSRP connection closed', 5000);
    assert.ok(await waitFor(async () => (await onlySession(h.pf)).mode === 'RELEASED', 5000), 'the session is released');

    const ds = await decisions(h.pf);
    const lost = ds.find((d) => d.branch === 'CLS-MSRP');
    assert.equal(lost?.outcome, 'REMOTE_RELEASE', ds.map((d) => `${d.branch}:${d.outcome}`).join(' '));
    for (const b of ['CLS-7', 'BYE-2a']) assert.ok(ds.some((d) => d.branch === b), `${b} missing: ${ds.map((d) => d.branch).join(' ')}`);
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await client.close();
    await net.close();
    await h.stop();
  }
});
