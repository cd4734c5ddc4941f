// Issue 15's list of session tests over MSRP: a chunked 1 MiB message through the PF, byte for byte,
// with its success REPORT back to the sender; and a malformed frame on a client's connection gets
// 400, the connection stays and the session goes on (RFC 4975 §7.3, D-162).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startAnchoredOneToOne } from '../../support/anchored-session';

test('D-160, D-162: a 1 MiB message in 64 KiB chunks crosses the PF byte for byte with its success REPORT; a malformed frame gets 400 and the session goes on', async () => {
  const { alicePeer, bobPeer, close, connectMedia } = await startAnchoredOneToOne('large');
  try {
    await connectMedia();

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
    await close();
  }
});
