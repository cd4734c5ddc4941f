// Issue 15's list of session tests over MSRP: a chunked 1 MiB message through the PF, byte for byte,
// with its success REPORT back to the sender; and a malformed frame on a client's connection gets
// 400, the connection stays and the session goes on (RFC 4975 §7.3, D-162).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MsrpPeer } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { ALICE, SESSION_ICSI, startSessionPf } from './session-harness';

test('D-160, D-162: a 1 MiB message in 64 KiB chunks crosses the PF byte for byte with its success REPORT; a malformed frame gets 400 and the session goes on', async () => {
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
      uri: 'sip:bob@example.net', from: ALICE, headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-large', 'Conversation-ID: conv-large'], sdp: msrpOffer(alicePeer.path),
    });
    assert.equal(r.status, 200);
    const [invite] = await net.waitFor('INVITE');
    alicePeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await alicePeer.connect()).code, 200);
    await bobPeer.accepted();
    bobPeer.remotePath = readMsrpMedia(invite.body.toString())!.path;

    const big = randomBytes(1024 * 1024);
    const sent = alicePeer.send(big, { contentType: 'application/octet-stream', messageId: 'm-big', chunkSize: 64 * 1024, successReport: 'yes' });
    assert.equal(sent.tids.length, 16);
    for (const t of sent.tids) assert.equal((await alicePeer.response(t, 10_000)).code, 200);
    assert.ok((await bobPeer.whole('m-big', 10_000)).body.equals(big), 'bob got the same bytes');
    await alicePeer.waitFor(() => alicePeer.requests('REPORT').some((m) => m.messageId === 'm-big'), 'the success REPORT');
    const report = alicePeer.requests('REPORT').find((m) => m.messageId === 'm-big')!;
    assert.equal(report.status?.code, 200);
    assert.deepEqual(report.byteRange, { start: 1, end: big.length, total: big.length });

    // a framed SEND with a broken Byte-Range: 400 from the PF, the connection stays
    alicePeer.writeRaw(`MSRP bad00001 SEND\r\nTo-Path: ${alicePeer.remotePath[0]}\r\nFrom-Path: ${alicePeer.path}\r\nMessage-ID: badmsg01\r\nByte-Range: x-y/z\r\nContent-Type: text/plain\r\n\r\noops\r\n-------bad00001$\r\n`);
    assert.equal((await alicePeer.response('bad00001')).code, 400);
    assert.ok(alicePeer.connected, 'the connection is kept');
    const after = alicePeer.send(Buffer.from('still here'), { messageId: 'm-after' });
    assert.equal((await alicePeer.response(after.tids[0])).code, 200);
    assert.equal((await bobPeer.whole('m-after')).body.toString(), 'still here');
    assert.ok(!bobPeer.wholes.some((w) => w.messageId === 'badmsg01'), 'the malformed frame went nowhere');
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await client.close();
    await net.close();
    await h.stop();
  }
});
