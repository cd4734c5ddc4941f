// IMDN-GEN-4 over MSRP (D-167): bob's PF sends alice a file in a file-transfer session; alice's
// device refuses it in MSRP (413). Bob's side gets the 413 end to end, and because the file's CPIM
// envelope asked for negative-delivery the PF sends a <failed/> delivery notification to bob as a
// SIP MESSAGE outside the session (through the outbound proxy here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MsrpPeer } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { ALICE, SESSION_ICSI, decisions, startSessionPf, waitFor } from './session-harness';

const FT_ICSI = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.filetransfer';
const BOB = 'sip:bob@example.net';

test('D-167, IMDN-GEN-4: a file refused by alice\'s device in MSRP (413) yields one <failed/> delivery notification to bob outside the session', async () => {
  const net = await SipUa.start('bob-pf');
  const proxy = await SipUa.start('proxy');
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${net.port}` }] },
    env: { PF_OUTBOUND_PROXY: `127.0.0.1:${proxy.port}` },
  });
  const device = await SipUa.start('alice');
  const alicePeer = await MsrpPeer.start('alice');
  const bobPeer = await MsrpPeer.start('bob');
  try {
    assert.equal(await device.register(h.pf.sipAddress.port, ALICE, `;+g.3gpp.icsi-ref="${SESSION_ICSI}"`), 200);
    device.answerSdp = () => msrpOffer(alicePeer.path);
    alicePeer.answer = () => 413;
    const r = await net.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: BOB, sdp: msrpOffer(bobPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${FT_ICSI}"`, 'Contribution-ID: c-ft', 'Conversation-ID: conv-ft'],
    });
    assert.equal(r.status, 200);
    bobPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await bobPeer.connect()).code, 200);
    await alicePeer.accepted();

    const file = Buffer.concat([
      Buffer.from([`From: <${BOB}>`, `To: <${ALICE}>`, 'NS: imdn <urn:ietf:params:imdn>', 'imdn.Message-ID: ft-1', 'DateTime: 2026-11-23T10:00:00Z', 'imdn.Disposition-Notification: positive-delivery, negative-delivery', '', 'Content-Type: image/jpeg', 'Content-Disposition: render; filename="a.jpg"', '', ''].join('\r\n')),
      randomBytes(40_000),
    ]);
    const sent = bobPeer.send(file, { contentType: 'message/cpim', messageId: 'm-ft1', chunkSize: 16_000 });
    assert.equal((await bobPeer.response(sent.tids[0])).code, 413, 'the device\'s refusal reaches bob end to end');

    await proxy.waitFor('MESSAGE', 1, 10_000);
    const [report] = proxy.requests.filter((m) => m.startLine.startsWith('MESSAGE '));
    const text = report.raw.toString();
    assert.match(text, /<message-id>ft-1<\/message-id>/);
    assert.match(text, /<failed\/>/);
    assert.match(text, /oma\.cpm\.filetransfer/, 'sent with the file-transfer service');
    assert.ok(await waitFor(async () => (await decisions(h.pf)).some((d) => d.branch === 'IMDN-GEN-4' && d.outcome === 'GENERATE')));
    // every chunk was refused: still one report
    for (const t of sent.tids.slice(1)) assert.equal((await bobPeer.response(t)).code, 413);
    assert.equal(proxy.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 1);
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await device.close();
    await proxy.close();
    await net.close();
    await h.stop();
  }
});
