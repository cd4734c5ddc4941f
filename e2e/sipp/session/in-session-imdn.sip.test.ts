// Notifications inside a session over real SIP and MSRP: SIPp holds the dialogs, the session's
// messages travel over MSRP between the test's peers through the PF (D-265): isComposing
// attribution for IMDN-RX (§12.6) and the served clients' own notifications (IMDN-TX).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { cpim, imdnXml, startSippMsrp } from '../../support/sipp-msrp';
import { ALICE, SESSION_ICSI, decisions, expectOk, networkMsrpKeys, received, scenario, startDevice, startSessionPf } from './session-harness';
import { requireUserId } from '../../../server/store/users';
import { conversationFolder, getObject, storeObject } from '../../../server/store/message-store';

const INTERWORKING = '<cpmimdn:interworking-notification><cpmimdn:status><cpmimdn:legacy-sms/></cpmimdn:status></cpmimdn:interworking-notification>';

test("IMDN-RX-2a-iii-2, AMB-11: an isComposing without a CPIM wrapper from bob in a 1-1 session counts as bob's (§12.6): his later interworking notice for alice's chat message is dropped", async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
  const dev = await startDevice(h.target, 'device.xml');
  const bob = await startSippMsrp('bob');
  try {
    const keys = networkMsrpKeys(bob, pfPort, { from_user: 'bob', focus: 'bob', contact_params: '', icsi: SESSION_ICSI });
    const peer = startSipp({ scenario: scenario('network-msrp.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 20, keys, extra: ['-d', '3000'] });
    const [bobPeer, alicePeer] = [await bob.bound(), await dev.msrp.bound()];
    // alice's chat message to bob, then bob's isComposing without a CPIM wrapper, both over MSRP
    const chat = alicePeer.send(cpim({ from: ALICE, to: 'sip:bob@net.example.net', id: 'm-isc', body: 'Hi from alice', dn: 'positive-delivery' }), { contentType: 'message/cpim' });
    assert.equal((await alicePeer.response(chat.tids[0])).code, 200, 'bob\'s 200 comes back end to end');
    assert.match((await bobPeer.whole(chat.messageId)).body.toString(), /imdn\.Message-ID: m-isc/);
    const isc = bobPeer.send(Buffer.from(ISCOMPOSING), { contentType: 'application/im-iscomposing+xml' });
    assert.equal((await bobPeer.response(isc.tids[0])).code, 200);
    assert.match((await alicePeer.whole(isc.messageId)).body.toString(), /<isComposing /, 'the isComposing reached alice\'s client over MSRP');
    expectOk(await peer.done, 'remote PF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.equal(received(d, 'MESSAGE').length, 0, 'nothing travelled as SIP MESSAGE');

    // MATRIX RX-2a-iii-2: bob's delivery report for m-isc is already cached
    h.pf.state.rxCache.apply({ kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: 'sip:bob@net.example.net', messageId: 'm-isc' }, type: 'delivery', status: 'delivered' }, Date.now());
    const iwk = await runSipp({ scenario: scenario('network-imdn.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 10, keys: { from_user: 'bob', message_id: 'm-isc', notification: INTERWORKING } });
    expectOk(iwk, 'interworking notice');
    const ds = await decisions(h.pf);
    const rx = ds.filter((x) => x.procedure === 'IMDN-RX');
    assert.ok(rx.some((x) => x.branch === 'IMDN-RX-2a-iii-2' && x.outcome === 'DROP'), rx.map((x) => `${x.branch}:${x.outcome}`).join(' '));
    assert.match(iwk.trace, /SIP\/2\.0 200 /, 'the dropped notice is answered by the PF');
  } finally {
    await dev.sipp.stop();
    await bob.peer.close();
    await h.stop();
  }
});

const ISCOMPOSING = '<?xml version="1.0" encoding="UTF-8"?>\r\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype></isComposing>';
const DELIVERED = '<delivery-notification><status><delivered/></status></delivery-notification>';
const DISPLAYED = '<display-notification><status><displayed/></status></display-notification>';

test('IMDN-TX-0, IMDN-TX-2, IMDN-TX-3: notifications alice\'s two devices send in the session go through IMDN-TX: one delivered report toward zed, not two, and the read report sets \\Seen', async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'zed-pf', address: `127.0.0.1:${pfPort}` }] },
    policy: { directDeliveryToAllClients: true },
  });
  const messageId = 'chat-two-reports';
  // alice's Message Store holds a copy of zed's message
  const alice = { id: await requireUserId(h.pf.db.store, ALICE) };
  const folder = await conversationFolder(h.pf.db.store, alice.id, 'conv-1');
  const stored = await storeObject(h.pf.db.store, { userId: alice.id, folderId: folder.id, object: { kind: 'MESSAGE', imdnMessageId: messageId, contentType: 'message/cpim', headers: {}, body: 'x' } });
  const d1 = await startDevice(h.target, 'device.xml');
  const d2 = await startDevice(h.target, 'device.xml');
  const zed = await startSippMsrp('zed');
  try {
    const keys = networkMsrpKeys(zed, pfPort, { from_user: 'zed', focus: 'zed', contact_params: '', icsi: SESSION_ICSI });
    const peer = startSipp({ scenario: scenario('network-msrp.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 20, keys, extra: ['-d', '4000'] });
    const [zedPeer, p1, p2] = [await zed.bound(), await d1.msrp.bound(), await d2.msrp.bound()];
    // zed's chat message reaches both of alice's devices (one relay leg each, D-164)
    const chat = zedPeer.send(cpim({ from: 'sip:zed@example.com', to: ALICE, id: messageId, body: 'Are you there?', dn: 'positive-delivery, display' }), { contentType: 'message/cpim' });
    assert.equal((await zedPeer.response(chat.tids[0])).code, 200);
    await p1.whole(chat.messageId);
    await p2.whole(chat.messageId);
    // each device reports over MSRP: device 1 delivered then displayed, device 2 delivered twice
    const report = (p: typeof p1, n: number, xml: string) =>
      p.send(cpim({ from: ALICE, to: 'sip:zed@example.com', id: `r${n}-${p.path.slice(-12)}`, type: 'message/imdn+xml; charset=utf-8', body: imdnXml(messageId, xml) }), { contentType: 'message/cpim' });
    const codes: number[] = [];
    for (const [p, n, xml] of [[p1, 1, DELIVERED], [p2, 1, DELIVERED], [p1, 2, DISPLAYED], [p2, 2, DELIVERED]] as const) {
      codes.push((await p.response(report(p, n, xml).tids[0])).code);
    }
    assert.deepEqual(codes, [200, 200, 200, 200], 'a dropped duplicate is still answered 200');
    expectOk(await peer.done, 'remote PF');
    const [r1, r2] = [await d1.sipp.done, await d2.sipp.done];
    expectOk(r1, 'device 1');
    expectOk(r2, 'device 2');

    const reports = zedPeer.wholes.filter((w) => /message\/imdn\+xml/.test(w.body.toString()));
    assert.equal(reports.filter((w) => /<delivered\/>/.test(w.body.toString())).length, 1, 'one delivered report toward zed, not one per device');
    assert.equal(reports.filter((w) => /<displayed\/>/.test(w.body.toString())).length, 1);
    assert.equal(reports.length, 2);
    assert.equal(received(await peer.done, 'MESSAGE').length + received(r1, 'MESSAGE').length + received(r2, 'MESSAGE').length, 0, 'nothing travelled as SIP MESSAGE');
    assert.deepEqual((await getObject(h.pf.db.store, stored.id))?.flags, ['\\Seen']);
    const tx = (await decisions(h.pf)).filter((x) => x.procedure === 'IMDN-TX');
    const seen = tx.map((x) => `${x.branch}:${x.outcome}`);
    assert.ok(seen.includes('IMDN-TX-2:DROP'), seen.join(' '));
    assert.ok(seen.includes('IMDN-TX-0:FORWARD'), seen.join(' '));
    assert.ok(seen.includes('IMDN-TX-3:SET_SEEN'), seen.join(' '));
  } finally {
    await d1.sipp.stop();
    await d2.sipp.stop();
    await zed.peer.close();
    await h.stop();
  }
});
