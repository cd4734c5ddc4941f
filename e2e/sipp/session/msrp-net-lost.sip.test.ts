// D-267: the network side's MSRP connection lost without a BYE. Without its media the other
// user's PF (or the CF) cannot take part in the session any more: the PF handles it as that side
// releasing (a BYE with cause 503 from it, CLS-7 → BYE-2), ends the network dialog itself with a
// BYE 503, and releases alice's client as BYE-2 says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../support/msrp-peer';
import { startAnchoredOneToOne } from '../../support/anchored-session';
import { headerOf } from '../../support/raw-sip';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { cpim } from '../../support/sipp-msrp';
import { ALICE, decisions, onlySession, waitFor } from './session-harness';

test('D-267, CLS-MSRP, CLS-7, BYE-2a: bob\'s PF loses its MSRP connection without a BYE: the PF ends that dialog (BYE 503) and releases alice\'s client as a remote release', async () => {
  const { h, net, client, alicePeer, bobPeer, r, close } = await startAnchoredOneToOne('netlost');
  try {
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
    await close();
  }
});
