// A 1-1 session whose offer carries an MSRP stream with a=path (a real CPM/RCS client): the PF
// anchors the media plane (D-163). The SIP legs are driven by a small UA (e2e/support/sip-ua.ts),
// the MSRP ends are MsrpPeers: chat messages (text and binary, chunked) cross the PF both ways
// over MSRP, a read report from alice's client goes through IMDN-TX, and BYE closes both
// MSRP connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MsrpPeer, until } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { cpim } from '../../support/sipp-msrp';
import { startAnchoredOneToOne } from '../../support/anchored-session';
import { startSipp } from '../../support/sipp';
import { freePort } from '../../support/ports';
import type { SipMessageRecord } from '../../../server/live/events';
import { ALICE, SESSION_ICSI, decisions, onlySession, scenario, startSessionPf, waitFor } from './session-harness';
import { countDeferred, listDeferred } from '../../../server/store/deferred-queue';


test('D-163, IMDN-TX-0: a 1-1 session offered with a=path is anchored: chat messages (text, binary, chunked) cross the PF over MSRP both ways with the PF\'s paths in the SDP; alice\'s read report over MSRP takes IMDN-TX; BYE closes both MSRP connections', async () => {
  const { h, net, client, alicePeer, bobPeer, r, close } = await startAnchoredOneToOne('msrp');
  try {

    // the PF's own endpoint in both SDPs, never the other client's
    const toAlice = readMsrpMedia(r.sdp);
    const [invite] = await net.waitFor('INVITE');
    const toBob = readMsrpMedia(invite.body.toString());
    assert.ok(toAlice && toBob, 'both SDPs carry an MSRP stream with a=path');
    const pfPrefix = /^msrp:\/\/127\.0\.0\.1:\d+\//;
    assert.match(toAlice.path[0], pfPrefix);
    assert.match(toBob.path[0], pfPrefix);
    assert.notEqual(toAlice.path[0], toBob.path[0], 'one PF URI per leg');
    assert.ok(!r.sdp.includes(bobPeer.path) && !invite.body.toString().includes(alicePeer.path), 'no client path crosses the PF');
    assert.equal(toBob.setup, 'actpass', 'the PF offers actpass toward the network');
    assert.equal(toAlice.port, Number(/:(\d+)\//.exec(toAlice.path[0])![1]), 'm= port is the PF listener');

    // alice (the offerer, no a=setup) connects; the PF connects to bob (it offered)
    alicePeer.remotePath = toAlice.path;
    assert.equal((await alicePeer.connect()).code, 200);
    await bobPeer.accepted();
    bobPeer.remotePath = toBob.path;

    // alice → bob: a text chat message, then 200 KiB of binary in 16 KiB chunks
    const hello = cpim({ from: ALICE, to: 'sip:bob@example.net', id: 'a-1', type: 'text/plain', body: 'hello bob', dn: 'positive-delivery, display' });
    const a1 = alicePeer.send(hello, { contentType: 'message/cpim', messageId: 'm-a1' });
    assert.equal((await alicePeer.response(a1.tids[0])).code, 200, 'bob\'s 200 comes back end to end');
    assert.deepEqual((await bobPeer.whole('m-a1')).body, hello);
    const blob = randomBytes(200 * 1024);
    const a2 = alicePeer.send(blob, { contentType: 'application/octet-stream', messageId: 'm-a2', chunkSize: 16 * 1024 });
    assert.ok(a2.tids.length > 10);
    assert.deepEqual((await bobPeer.whole('m-a2')).body, blob);

    // bob → alice: a chat message asking for display, and binary chunked out of order
    const chat = cpim({ from: 'sip:bob@example.net', to: ALICE, id: 'b-1', type: 'text/plain', body: 'hi alice', dn: 'positive-delivery, display' });
    const b1 = bobPeer.send(chat, { contentType: 'message/cpim', messageId: 'm-b1' });
    assert.equal((await bobPeer.response(b1.tids[0])).code, 200);
    assert.deepEqual((await alicePeer.whole('m-b1')).body, chat);
    const blob2 = randomBytes(64 * 1024);
    bobPeer.send(blob2, { contentType: 'application/octet-stream', messageId: 'm-b2', chunkSize: 10_000, order: [3, 0, 6, 1, 2, 5, 4] });
    assert.deepEqual((await alicePeer.whole('m-b2')).body, blob2);

    // alice's client reports b-1 displayed over MSRP: IMDN-TX decides, and forwards it to bob
    const read = cpim({
      from: ALICE, to: 'sip:bob@example.net', id: 'r-1', type: 'message/imdn+xml; charset=utf-8',
      body: '<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>b-1</message-id><datetime>2026-11-23T10:00:01Z</datetime><display-notification><status><displayed/></status></display-notification></imdn>',
    });
    const rr = alicePeer.send(read, { contentType: 'message/cpim', messageId: 'm-r1' });
    assert.equal((await alicePeer.response(rr.tids[0])).code, 200);
    assert.match((await bobPeer.whole('m-r1')).body.toString(), /<displayed\/>/);
    const tx = (await decisions(h.pf)).filter((x) => x.procedure === 'IMDN-TX').map((x) => `${x.branch}:${x.outcome}`);
    assert.ok(tx.includes('IMDN-TX-0:FORWARD'), tx.join(' '));

    // no SIP MESSAGE carried any of it
    assert.equal(net.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 0);
    assert.equal(client.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 0);

    // alice leaves: both MSRP connections are closed by the PF
    assert.equal(await client.inDialog(h.pf.sipAddress.port, r.dialog!, 'BYE', ['Reason: SIP;cause=200;text="bye"']), 200);
    await until(() => alicePeer.closed && bobPeer.closed, 'both MSRP connections closed', 5000);
  } finally {
    await close();
  }
});

test('D-163, BYE-4-R-ii-def, BYE-4-R-iii-2: alice\'s client is lost in an MSRP group with allow-defer: the PF answers the CF\'s SEND itself and defers it, and the returning client gets it over its new MSRP connection; the ladder shows the MSRP SENDs', async () => {
  const cf = await SipUa.start('cf');
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cf.port}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs: { allowDefer: true },
  });
  const ladder: Array<Omit<SipMessageRecord, 'seq'>> = [];
  h.pf.bus.on('sip:message', (m) => ladder.push(m));
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 30, extra: ['-d', '20000'] });
  const device = await SipUa.start('alice');
  const cfPeer = await MsrpPeer.start('cf');
  const alicePeer = await MsrpPeer.start('alice');
  const alicePeer2 = await MsrpPeer.start('alice2');
  const contribution = `contrib-${Math.random().toString(36).slice(2, 8)}`;
  const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
  const chat = (id: string, text: string) => cpim({ from: 'sip:bob@net.example.net', to: ALICE, id, type: 'text/plain', body: text, dn: 'positive-delivery' });
  try {
    const icsi = `;+g.3gpp.icsi-ref="${SESSION_ICSI}"`;
    assert.equal(await device.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    device.answerSdp = () => msrpOffer(alicePeer.path);
    const r = await cf.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: 'sip:cf@net.example.net', contact: `<${groupUri}>;isfocus`, sdp: msrpOffer(cfPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, `Contribution-ID: ${contribution}`, 'Conversation-ID: conv-g'],
    });
    assert.equal(r.status, 200);
    cfPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await cfPeer.connect()).code, 200);
    await alicePeer.accepted();

    const m1 = cfPeer.send(chat('g-1', 'hello group'), { contentType: 'message/cpim', messageId: 'mgx1' });
    assert.equal((await cfPeer.response(m1.tids[0])).code, 200);
    await alicePeer.whole('mgx1');

    // alice's client loses its connection: BYE 503; the PF stays and closes that MSRP connection
    const [invite] = await device.waitFor('INVITE');
    const dialog = device.accepted.get(/Call-ID: (\S+)/i.exec(invite.raw.toString())![1])!;
    assert.equal(await device.inDialog(h.pf.sipAddress.port, dialog, 'BYE', ['Reason: SIP;cause=503;text="Connection lost"']), 200);
    await until(() => alicePeer.closed, 'the lost client\'s MSRP connection closed', 5000);
    assert.equal((await onlySession(h.pf)).mode, 'REMAIN_DISCONNECTED');

    // the CF's message while alice is away: answered 200 by the PF, deferred
    const away = chat('msg-while-away-1', 'Are you still there, Alice?');
    const m2 = cfPeer.send(away, { contentType: 'message/cpim', messageId: 'mgx2' });
    assert.equal((await cfPeer.response(m2.tids[0])).code, 200);
    assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store)) === 1, 5000), 'the chat message was not deferred');

    // alice returns with a new MSRP endpoint: the deferred message arrives over it
    const back = await device.invite(h.pf.sipAddress.port, {
      uri: groupUri, from: ALICE, sdp: msrpOffer(alicePeer2.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, `Contribution-ID: ${contribution}`],
    });
    assert.equal(back.status, 200);
    const pfPath = readMsrpMedia(back.sdp)!.path;
    assert.ok(!back.sdp.includes(cfPeer.path), 'the answer names the PF, not the CF');
    alicePeer2.remotePath = pfPath;
    assert.equal((await alicePeer2.connect()).code, 200);
    await alicePeer2.waitFor(() => alicePeer2.wholes.some((w) => w.body.includes(Buffer.from('msg-while-away-1'))), 'the deferred message');
    assert.match(alicePeer2.wholes.find((w) => w.body.includes(Buffer.from('msg-while-away-1')))!.body.toString(), /Are you still there, Alice\?/);
    assert.ok(await waitFor(async () => (await listDeferred(h.pf.db.store, undefined))[0].deliveredAt !== null, 3000));

    // and the group's messages flow to the returned client again
    const m3 = cfPeer.send(chat('g-3', 'welcome back'), { contentType: 'message/cpim', messageId: 'mgx3' });
    assert.equal((await cfPeer.response(m3.tids[0])).code, 200);
    await alicePeer2.whole('mgx3');
    assert.equal(device.requests.filter((m) => m.startLine.startsWith('MESSAGE ')).length, 0, 'nothing travelled as SIP MESSAGE');

    const branches = (await decisions(h.pf)).map((d) => `${d.branch}:${d.outcome}`);
    for (const b of ['BYE-4-R:REMAIN', 'BYE-4-R-ii:DEFERRED', 'BYE-4-R-iii-2:REJOINED']) assert.ok(branches.includes(b), `${b} missing: ${branches.join(' ')}`);
    const msrpLines = ladder.filter((m) => m.method.startsWith('MSRP')).map((m) => `${m.peer} ${m.direction} ${m.method}${m.status ? ` ${m.status}` : ''}`);
    for (const e of ['CF in MSRP SEND', 'CLIENT out MSRP SEND', 'CF out MSRP 200']) assert.ok(msrpLines.includes(e), `ladder lacks "${e}": ${msrpLines.join(' | ')}`);
  } finally {
    await focus.stop();
    for (const p of [cfPeer, alicePeer, alicePeer2]) await p.close();
    await device.close();
    await cf.close();
    await h.stop();
  }
});
