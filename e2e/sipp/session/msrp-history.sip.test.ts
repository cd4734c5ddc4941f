// Session history from MSRP (D-168, SPEC §11.7): alice allows the network to store her
// conversation history; in a 1-1 session over MSRP both her chat message and bob's answer are
// recorded in the session-history folder (conversation / contribution), each with its direction,
// and the console's message store query shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsrpPeer } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { messageStoreOf } from '../../../server/http/queries/message-store';
import { ALICE, SESSION_ICSI, decisions, startSessionPf, waitFor } from './session-harness';

const BOB = 'sip:bob@example.net';
const chat = (from: string, to: string, id: string, text: string) =>
  Buffer.from([`From: <${from}>`, `To: <${to}>`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${id}`, 'DateTime: 2026-11-23T10:00:00Z', '', 'Content-Type: text/plain', '', text].join('\r\n'));

test('D-168, HIST-1: with allow-store, the chat messages of an MSRP session (sent and received) are recorded in its session-history folder and shown by the console\'s message store', async () => {
  const net = await SipUa.start('bob-pf');
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${net.port}` }], routes: [{ match: '@example\\.net', peer: 'bob-pf' }] },
    prefs: { allowStore: true },
  });
  const client = await SipUa.start('alice');
  const alicePeer = await MsrpPeer.start('alice');
  const bobPeer = await MsrpPeer.start('bob');
  try {
    net.answerSdp = () => msrpOffer(bobPeer.path);
    assert.equal(await client.register(h.pf.sipAddress.port, ALICE), 200);
    const r = await client.invite(h.pf.sipAddress.port, {
      uri: BOB, from: ALICE, headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-hist', 'Conversation-ID: conv-hist'], sdp: msrpOffer(alicePeer.path),
    });
    assert.equal(r.status, 200);
    const [invite] = await net.waitFor('INVITE');
    alicePeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await alicePeer.connect()).code, 200);
    await bobPeer.accepted();
    bobPeer.remotePath = readMsrpMedia(invite.body.toString())!.path;

    const a = alicePeer.send(chat(ALICE, BOB, 'h-1', 'lunch at noon?'), { contentType: 'message/cpim', messageId: 'm-h1' });
    assert.equal((await alicePeer.response(a.tids[0])).code, 200);
    const b = bobPeer.send(chat(BOB, ALICE, 'h-2', 'sure'), { contentType: 'message/cpim', messageId: 'm-h2' });
    assert.equal((await bobPeer.response(b.tids[0])).code, 200);
    await alicePeer.whole('m-h2');

    const folderOf = async () => (await messageStoreOf(h.pf.db.store, ALICE)).folders.find((f) => f.kind === 'SESSION_HISTORY' && f.conversationId === 'conv-hist' && f.contributionId === 'c-hist');
    assert.ok(await waitFor(async () => ((await folderOf())?.objects.length ?? 0) === 2), 'two objects in the session history folder');
    const objects = (await folderOf())!.objects;
    assert.deepEqual(objects.map((o) => [o.imdnMessageId, o.headers['Message-Direction']]).sort(), [['h-1', 'sent'], ['h-2', 'received']]);
    assert.match(objects.find((o) => o.imdnMessageId === 'h-1')!.body, /lunch at noon\?/);
    const hist = (await decisions(h.pf)).filter((d) => d.procedure === 'HIST').map((d) => `${d.branch}:${d.outcome}`);
    assert.deepEqual(hist, ['HIST-1:STORED', 'HIST-1:STORED']);
  } finally {
    await alicePeer.close();
    await bobPeer.close();
    await client.close();
    await net.close();
    await h.stop();
  }
});
