// Notifications inside a session over real SIP (in-dialog MESSAGE as the chat carrier, D-103):
// isComposing attribution for IMDN-RX (§12.6) and the served clients' own notifications (IMDN-TX).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { ALICE, SESSION_ICSI, decisions, expectOk, networkKeys, received, scenario, startDevice, startSessionPf } from './session-harness';
import { requireUserId } from '../../../server/store/users';
import { conversationFolder, getObject, storeObject } from '../../../server/store/message-store';

const INTERWORKING = '<cpmimdn:interworking-notification><cpmimdn:status><cpmimdn:legacy-sms/></cpmimdn:status></cpmimdn:interworking-notification>';

test("IMDN-RX-2a-iii-2, AMB-11: an isComposing without a CPIM wrapper from bob in a 1-1 session counts as bob's (§12.6): his later interworking notice for alice's chat message is dropped", async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
  const dev = await startDevice(h.target, 'device-chat.xml', { keys: { message_id: 'm-isc', peer: 'sip:bob@net.example.net' } });
  try {
    const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi: SESSION_ICSI }), reason: 'SIP;cause=200' };
    const peer = await runSipp({ scenario: scenario('network-iscomposing.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] });
    expectOk(peer, 'remote PF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.ok(received(d, 'MESSAGE').some((m) => /application\/im-iscomposing\+xml/.test(m)), 'the isComposing reached alice\'s client');

    // MATRIX RX-2a-iii-2: bob's delivery report for m-isc is already cached
    h.pf.state.rxCache.apply({ kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: 'sip:bob@net.example.net', messageId: 'm-isc' }, type: 'delivery', status: 'delivered' }, Date.now());
    const iwk = await runSipp({ scenario: scenario('network-imdn.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 10, keys: { from_user: 'bob', message_id: 'm-isc', notification: INTERWORKING } });
    expectOk(iwk, 'interworking notice');
    const ds = await decisions(h.pf);
    const rx = ds.filter((x) => x.procedure === 'IMDN-RX');
    assert.ok(ds.some((x) => x.branch === 'CARRIER-1' && x.outcome === 'RELAY'), 'the carrier\'s relay to the client is an engine decision (D-260)');
    assert.ok(rx.some((x) => x.branch === 'IMDN-RX-2a-iii-2' && x.outcome === 'DROP'), rx.map((x) => `${x.branch}:${x.outcome}`).join(' '));
    assert.match(iwk.trace, /SIP\/2\.0 200 /, 'the dropped notice is answered by the PF');
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});

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
  const peerKey = { message_id: messageId, peer: 'sip:zed@example.com' };
  const d1 = await startDevice(h.target, 'device-imdn.xml', { keys: { ...peerKey, report1: DELIVERED, report2: DISPLAYED } });
  const d2 = await startDevice(h.target, 'device-imdn.xml', { keys: { ...peerKey, report1: DELIVERED, report2: DELIVERED } });
  try {
    const keys = { ...networkKeys({ from_user: 'zed', focus: 'zed', contact_params: '', icsi: SESSION_ICSI }), reason: 'SIP;cause=200', message_id: messageId };
    const peer = await runSipp({ scenario: scenario('network-chat-reports.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 20, keys });
    expectOk(peer, 'remote PF');
    const [r1, r2] = [await d1.sipp.done, await d2.sipp.done];
    expectOk(r1, 'device 1');
    expectOk(r2, 'device 2');
    assert.match(r2.trace, /SIP\/2\.0 200 OK[\s\S]*CSeq: 2 MESSAGE/, 'a dropped duplicate is still answered 200');

    const reports = received(peer, 'MESSAGE');
    assert.equal(reports.filter((m) => /<delivered\/>/.test(m)).length, 1, 'one delivered report toward zed, not one per device');
    assert.equal(reports.filter((m) => /<displayed\/>/.test(m)).length, 1);
    assert.equal(reports.length, 2);
    assert.deepEqual((await getObject(h.pf.db.store, stored.id))?.flags, ['\\Seen']);
    const tx = (await decisions(h.pf)).filter((x) => x.procedure === 'IMDN-TX');
    const seen = tx.map((x) => `${x.branch}:${x.outcome}`);
    assert.ok(seen.includes('IMDN-TX-2:DROP'), seen.join(' '));
    assert.ok(seen.includes('IMDN-TX-0:FORWARD'), seen.join(' '));
    assert.ok(seen.includes('IMDN-TX-3:SET_SEEN'), seen.join(' '));
  } finally {
    await d1.sipp.stop();
    await d2.sipp.stop();
    await h.stop();
  }
});
