// In-session IMDNs over MSRP from the network side go through IMDN-RX (D-166): alice sends a chat
// message in a 1-1 session; bob's two devices each report it delivered over the session's MSRP;
// alice's client gets one delivery notification, the duplicate is answered 200 by the PF and stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsrpPeer } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { startAnchoredOneToOne } from '../../support/anchored-session';
import { ALICE, SESSION_ICSI, decisions, startSessionPf, waitFor } from './session-harness';

const BOB = 'sip:bob@example.net';
const cpim = (o: { from: string; to: string; id: string; type: string; body: string; dn?: string }) =>
  Buffer.from(
    [
      `From: <${o.from}>`, `To: <${o.to}>`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${o.id}`, 'DateTime: 2026-11-23T10:00:00Z',
      ...(o.dn ? [`imdn.Disposition-Notification: ${o.dn}`] : []), '', `Content-Type: ${o.type}`, ...(o.type.startsWith('message/imdn') ? ['Content-Disposition: notification'] : []), '', o.body,
    ].join('\r\n'),
  );
const delivered = (id: string, of: string) =>
  cpim({
    from: BOB, to: ALICE, id, type: 'message/imdn+xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${of}</message-id><datetime>2026-11-23T10:00:01Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>`,
  });

test('D-166, IMDN-RX-2, IMDN-RX-3: two delivery notifications from bob\'s devices over MSRP for alice\'s chat message: the first reaches alice\'s client, the duplicate is answered 200 by the PF and stops', async () => {
  const { h, alicePeer, bobPeer, close, connectMedia } = await startAnchoredOneToOne('rx');
  try {
    await connectMedia();

    const a1 = alicePeer.send(cpim({ from: ALICE, to: BOB, id: 'rx-1', type: 'text/plain', body: 'did you get this?', dn: 'positive-delivery' }), { contentType: 'message/cpim', messageId: 'm-rx1' });
    assert.equal((await alicePeer.response(a1.tids[0])).code, 200);
    await bobPeer.whole('m-rx1');

    // bob's phone, then bob's laptop: each reports rx-1 delivered
    const n1 = bobPeer.send(delivered('n-1', 'rx-1'), { contentType: 'message/cpim', messageId: 'm-n1' });
    assert.equal((await bobPeer.response(n1.tids[0])).code, 200, 'alice\'s client took the first');
    await alicePeer.whole('m-n1');
    const n2 = bobPeer.send(delivered('n-2', 'rx-1'), { contentType: 'message/cpim', messageId: 'm-n2' });
    assert.equal((await bobPeer.response(n2.tids[0])).code, 200, 'the PF answers the duplicate');
    // a later message from bob overtakes nothing: once it arrives the duplicate would have too
    const b1 = bobPeer.send(cpim({ from: BOB, to: ALICE, id: 'b-9', type: 'text/plain', body: 'yes' }), { contentType: 'message/cpim', messageId: 'm-b9' });
    assert.equal((await bobPeer.response(b1.tids[0])).code, 200);
    await alicePeer.whole('m-b9');
    assert.ok(!alicePeer.wholes.some((w) => w.messageId === 'm-n2'), 'the duplicate notification did not reach alice');

    assert.ok(await waitFor(async () => (await decisions(h.pf)).filter((d) => d.procedure === 'IMDN-RX').length === 2));
    const rx = (await decisions(h.pf)).filter((d) => d.procedure === 'IMDN-RX').map((d) => d.outcome);
    assert.deepEqual(rx, ['FORWARD', 'DROP']);
  } finally {
    await close();
  }
});

test('IMDN-GEN-2-SDP over MSRP: alice\'s device answers with an MSRP SDP that cannot carry IMDNs; when it takes bob\'s chat message the PF sends bob the <delivered/> on its behalf, once', async () => {
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
    // no message/imdn+xml in either accept list: this client cannot carry IMDNs (SPEC IMDN-GEN-2-SDP)
    device.answerSdp = () => msrpOffer(alicePeer.path).replace('a=accept-wrapped-types:*', 'a=accept-wrapped-types:text/plain');
    const r = await net.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: BOB, sdp: msrpOffer(bobPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-gen2', 'Conversation-ID: conv-gen2'],
    });
    assert.equal(r.status, 200);
    bobPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await bobPeer.connect()).code, 200);
    await alicePeer.accepted();

    const m = bobPeer.send(cpim({ from: BOB, to: ALICE, id: 'g2-1', type: 'text/plain', body: 'can you report?', dn: 'positive-delivery' }), { contentType: 'message/cpim', messageId: 'm-g21' });
    assert.equal((await bobPeer.response(m.tids[0])).code, 200);
    await alicePeer.whole('m-g21');
    await proxy.waitFor('MESSAGE', 1, 10_000);
    const report = proxy.requests.find((x) => x.startLine.startsWith('MESSAGE '))!.raw.toString();
    assert.match(report, /<message-id>g2-1<\/message-id>/);
    assert.match(report, /<delivered\/>/);
    assert.ok(await waitFor(async () => (await decisions(h.pf)).some((d) => d.branch === 'IMDN-GEN-2-SDP')), 'decided by the SDP');
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await device.close();
    await proxy.close();
    await net.close();
    await h.stop();
  }
});
