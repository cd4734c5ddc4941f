// BYE-4-R and PIN over real SIP: alice's only client is lost in a group; with allow-defer the PF
// stays, subscribes to the conference, intercepts the group's chat message, and hands it over
// when alice's client re-registers and comes back. The group's end (noresource) leaves a Group
// State Object with the last participants. SIPp holds the dialogs; the group's chat message
// travels over MSRP between the test's peers through the PF (D-265).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { until } from '../../support/msrp-peer';
import { cpim, startSippMsrp, type SippMsrp } from '../../support/sipp-msrp';
import { decisions, expectOk, networkMsrpKeys, onlySession, received, registerDevice, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { countDeferred, listDeferred } from '../../../server/store/deferred-queue';
import { countDecisions, decisionsInOrder } from '../../../server/store/decision-search';
import { countObjects, findObjects } from '../../../server/store/message-store';

/** The CF (network-msrp.xml with the group's focus as Contact) holds the group for cfHoldMs, then ends it (410). */
async function startCf(target: string, cfPort: number, focusPort: number, cfHoldMs: number, contribution?: string) {
  const msrp = await startSippMsrp('cf');
  const over: Record<string, string> = contribution ? { contribution } : {};
  const sipp = startSipp({
    scenario: scenario('network-msrp.xml'), target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 25,
    keys: networkMsrpKeys(msrp, focusPort, { contact_params: ';isfocus', reason: 'SIP;cause=410;text="Group ended"', ...over }), extra: ['-d', String(cfHoldMs)],
  });
  return { msrp, sipp };
}

/** Bob's message in the group, sent by the CF over MSRP while alice's client is away: the PF answers it 200 itself. */
async function sendWhileAway(cf: SippMsrp, dn: string): Promise<void> {
  const peer = await cf.bound();
  const m = peer.send(cpim({ from: 'sip:bob@example.net', to: 'sip:group1@cf.example.net', id: 'msg-while-away-1', body: 'Are you still there, Alice?', dn }), { contentType: 'message/cpim' });
  assert.equal((await peer.response(m.tids[0])).code, 200, 'the PF answers the SEND for the lost client');
}

async function remainSetup(prefs: { allowDefer?: boolean; allowStore?: boolean; allowOfflineStorage?: boolean }, focusDelayMs: number) {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs,
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 20, extra: ['-d', String(focusDelayMs)] });
  const dev = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '500'] });
  const contribution = `contrib-${Math.random().toString(36).slice(2, 8)}`;
  const { msrp: cfMsrp, sipp: cf } = await startCf(h.target, cfPort, focusPort, 4500, contribution);
  return { h, focus, dev, cf, cfMsrp, focusPort, contribution };
}

test('BYE-4-R-c, BYE-4-R-sub, BYE-4-R-ans, BYE-4-R-ii-def, BYE-4-R-iii-2: 503 in a group with allow-defer: the PF stays, subscribes, intercepts, and the returning client gets the deferred message', async () => {
  const { h, focus, dev, cf, cfMsrp, focusPort, contribution } = await remainSetup({ allowDefer: true }, 8000);
  const devicePort = await freePort();
  const rejoin = await startSippMsrp('alice2');
  try {
    await dev.msrp.bound();
    expectOk(await dev.sipp.done, 'lost device');
    await until(() => dev.msrp.peer.closed, 'the lost client\'s MSRP connection closed by the PF');
    // the CF's message arrives while alice is away: it is answered by the PF and deferred
    await sendWhileAway(cfMsrp, 'positive-delivery, display');
    assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store)) === 1, 6000), 'the chat message was not deferred');
    const mid = await onlySession(h.pf);
    assert.equal(mid.mode, 'REMAIN_DISCONNECTED');
    assert.deepEqual(mid.legs.map((l) => [l.kind, l.state]).sort(), [['CF', 'CONNECTED'], ['CLIENT', 'TERMINATED']]);
    const [item] = await listDeferred(h.pf.db.store, undefined);
    assert.equal(item.kind, 'CHAT_MESSAGE');
    assert.equal(item.messageId, 'msg-while-away-1');
    assert.equal(item.sessionId, mid.id);

    // alice's client re-registers and returns to the group
    await registerDevice(h.target, 'alice', devicePort);
    const back = await runSipp({
      scenario: scenario('device-rejoin.xml'), target: h.target, localPort: devicePort, calls: 1, timeoutSec: 15,
      keys: { group_uri: `sip:group1@127.0.0.1:${focusPort}`, contribution, ...rejoin.keys },
    });
    expectOk(back, 'returning device');
    assert.equal(received(back, 'MESSAGE').length, 0, 'nothing travelled as SIP MESSAGE');
    const delivered = rejoin.peer.wholes.map((w) => w.body.toString());
    assert.equal(delivered.length, 1, 'the deferred message, over the returning client\'s MSRP connection');
    assert.match(delivered[0], /imdn\.Message-ID: msg-while-away-1/);
    assert.match(delivered[0], /Are you still there, Alice\?/);
    assert.match(received(back, 'BYE')[0] ?? '', /cause=410/, 'the group\'s end reaches the returned client');

    const rcf = await cf.done;
    expectOk(rcf, 'CF');
    assert.equal(received(rcf, 'BYE').length, 0, 'no BYE toward the CF: the PF stayed');
    assert.equal(received(rcf, 'INVITE').length, 0);
    const rfocus = await focus.stop();
    assert.equal(received(rfocus, 'SUBSCRIBE').length, 1, 'one conference SUBSCRIBE from the PF');
    assert.match(received(rfocus, 'SUBSCRIBE')[0], /Event: conference/);

    const end = await onlySession(h.pf);
    assert.equal(end.mode, 'RELEASED');
    assert.notEqual((await listDeferred(h.pf.db.store, undefined))[0].deliveredAt, null);
    const ds = await decisions(h.pf);
    const branches = ds.map((d) => d.branch);
    for (const b of ['CLS-3', 'BYE-4-R-i', 'PIN-S1', 'BYE-4-R-ans', 'BYE-4-R', 'BYE-4-R-ii', 'BYE-4-R-iii-2', 'BYE-2a']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
    assert.ok(ds.some((d) => d.branch === 'BYE-4-R-ii' && d.outcome === 'DEFERRED'));
    assert.ok(ds.some((d) => d.branch === 'BYE-4-R-iii-2' && d.outcome === 'REJOINED'));
  } finally {
    await dev.sipp.stop();
    await cf.stop();
    await focus.stop();
    await cfMsrp.peer.close();
    await rejoin.peer.close();
    await h.stop();
  }
});

test('PIN-N5, PIN-S1, PIN-N2, BYE-2-R: NOTIFY terminated;reason=noresource stores a Group State Object with the last participants', async () => {
  const { h, focus, dev, cf, cfMsrp } = await remainSetup({ allowStore: true }, 1200);
  try {
    expectOk(await dev.sipp.done, 'lost device');
    const rfocus = await focus.done;
    expectOk(rfocus, 'focus');
    assert.equal(received(rfocus, 'SUBSCRIBE').length, 1);
    assert.ok(await waitFor(async () => (await countObjects(h.pf.db.store, { kind: 'GSO' })) === 1, 3000), 'no Group State Object stored');
    const [gso] = await findObjects(h.pf.db.store, { kind: 'GSO' });
    assert.equal(gso.contentType, 'Application/group-state-object+xml');
    assert.equal(gso.folder.kind, 'SESSION_HISTORY');
    // carol departed while the group was active; bob's "booted" in the final NOTIFY is the group's end (AMB-19)
    const participants = ((gso.participants ?? []) as Array<{ entity: string }>).map((p) => p.entity).sort();
    assert.deepEqual(participants, ['sip:alice@example.com', 'sip:bob@example.net']);
    assert.match(gso.body, /lastfocussessionid="sip:group1@cf\.example\.net"/);
    assert.match(gso.body, /comm-addr="sip:bob@example\.net"/);
    assert.doesNotMatch(gso.body, /carol/);
    const ds = await decisions(h.pf);
    assert.ok(ds.some((d) => d.branch === 'PIN-N2' && d.outcome === 'ROSTER_UPDATED'));
    assert.ok(ds.some((d) => d.branch === 'PIN-N5' && d.outcome === 'STORE_GSO'));
    expectOk(await cf.done, 'CF');
    assert.equal((await onlySession(h.pf)).mode, 'RELEASED');
    assert.ok(ds.concat(await decisions(h.pf)).some((d) => d.branch === 'BYE-2-R'));
  } finally {
    await dev.sipp.stop();
    await cf.stop();
    await focus.stop();
    await cfMsrp.peer.close();
    await h.stop();
  }
});

// IMDN-GEN-3 from the product's own state: the chat message the PF deferred for the lost client
// (BYE-4-R-ii, allow-defer) expires in the queue before any client comes back. That is a chat
// message discarded after expiry per the user's preferences: bob asked for negative-delivery, so
// he gets a <failed/> report (it leaves through the outbound proxy, a SIPp UAS here).
test('GEN-3, BYE-4-R-ii-def over SIP and MSRP: a chat message deferred for a lost client expires undelivered; the sender gets a <failed/> report', async () => {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const proxyPort = await freePort();
  const proxy = startSipp({ scenario: 'uas-message.xml', localPort: proxyPort, timeoutSec: 30 });
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs: { allowDefer: true },
    env: { PF_DEFERRED_TTL_SEC: '1', PF_OUTBOUND_PROXY: `127.0.0.1:${proxyPort}` },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 20, extra: ['-d', '1200'] });
  const dev = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '500'] });
  const { msrp: cfMsrp, sipp: cf } = await startCf(h.target, cfPort, focusPort, 4500);
  try {
    expectOk(await dev.sipp.done, 'lost device');
    await sendWhileAway(cfMsrp, 'positive-delivery, negative-delivery, display');
    assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store, { kind: 'CHAT_MESSAGE' })) === 1, 6000), 'the chat message was deferred');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await h.pf.expireDeferredNow(), 1, 'the held chat message expired');
    assert.ok(await waitFor(async () => {
      await h.pf.decisions.flush();
      return (await countDecisions(h.pf.db.store, { branches: ['IMDN-GEN-3'], outcome: 'GENERATE' })) === 1;
    }), 'IMDN-GEN-3 generated a report');
    await new Promise((r) => setTimeout(r, 300));
    const out = received(await proxy.stop(), 'MESSAGE');
    assert.equal(out.length, 1, 'one report leaves toward bob');
    assert.match(out[0], /^MESSAGE sip:bob@example\.net SIP\/2\.0/m);
    assert.match(out[0], /<message-id>msg-while-away-1<\/message-id>/);
    assert.match(out[0], /<failed\/>/);
    assert.match(out[0], /P-Asserted-Service: urn:urn-7:3gpp-service\.ims\.icsi\.oma\.cpm\.session/);
    expectOk(await cf.done, 'CF');
  } finally {
    await proxy.stop();
    await dev.sipp.stop();
    await cf.stop();
    await focus.stop();
    await cfMsrp.peer.close();
    await h.stop();
  }
});

// IMDN-GEN-2 for a deferred delivery, from the product's own path: the chat message the PF held
// for alice (BYE-4-R-ii) is handed to her returning client (BYE-4-R-iii-2), an OMA 1.0 client that
// sends no IMDNs for chat messages. Bob asked for positive-delivery: the PF reports <delivered/>
// for alice (it leaves through the outbound proxy, a SIPp UAS here).
test('GEN-2-def, BYE-4-R-iii-2 over SIP and MSRP: the deferred chat message taken by a returning OMA1.0 client gets a <delivered/> report on its behalf', async () => {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const proxyPort = await freePort();
  const proxy = startSipp({ scenario: 'uas-message.xml', localPort: proxyPort, timeoutSec: 30 });
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs: { allowDefer: true },
    env: { PF_OUTBOUND_PROXY: `127.0.0.1:${proxyPort}` },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 20, extra: ['-d', '8000'] });
  const dev = await startDevice(h.target, 'device-bye.xml', { keys: { reason: 'SIP;cause=503;text="Connection lost"' }, extra: ['-d', '500'] });
  const contribution = `contrib-${Math.random().toString(36).slice(2, 8)}`;
  const { msrp: cfMsrp, sipp: cf } = await startCf(h.target, cfPort, focusPort, 4500, contribution);
  const devicePort = await freePort();
  const rejoin = await startSippMsrp('alice2');
  try {
    expectOk(await dev.sipp.done, 'lost device');
    await sendWhileAway(cfMsrp, 'positive-delivery, display');
    assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store, { kind: 'CHAT_MESSAGE' })) === 1, 6000), 'the chat message was deferred');
    await registerDevice(h.target, 'alice', devicePort, 'CPM-client/OMA1.0 sipp');
    const back = await runSipp({
      scenario: scenario('device-rejoin.xml'), target: h.target, localPort: devicePort, calls: 1, timeoutSec: 15,
      keys: { group_uri: `sip:group1@127.0.0.1:${focusPort}`, contribution, ...rejoin.keys },
    });
    expectOk(back, 'returning device');
    assert.equal(rejoin.peer.wholes.filter((w) => w.body.includes('msg-while-away-1')).length, 1, 'the deferred message reached the returning client over MSRP');
    assert.equal(received(back, 'MESSAGE').length, 0, 'nothing travelled as SIP MESSAGE');
    assert.ok(await waitFor(async () => {
      await h.pf.decisions.flush();
      return (await countDecisions(h.pf.db.store, { branches: ['IMDN-GEN-2-UA'], outcome: 'GENERATE' })) === 1;
    }), 'IMDN-GEN-2-UA generated a report');
    const gen = (await decisionsInOrder(h.pf.db.store, { branches: ['IMDN-GEN-2-UA'] }))[0];
    assert.equal(gen.inputs.deferred, true, 'judged as a deferred delivery');
    await new Promise((r) => setTimeout(r, 300));
    const out = received(await proxy.stop(), 'MESSAGE');
    assert.equal(out.length, 1, 'one report leaves toward bob');
    assert.match(out[0], /<message-id>msg-while-away-1<\/message-id>/);
    assert.match(out[0], /<delivered\/>/);
    expectOk(await cf.done, 'CF');
  } finally {
    await proxy.stop();
    await dev.sipp.stop();
    await cf.stop();
    await focus.stop();
    await cfMsrp.peer.close();
    await rejoin.peer.close();
    await h.stop();
  }
});

test('BYE-4-R-ii-def, D-261: a chat message the CF sends again over MSRP while the PF stands in for a lost client is deferred once', async () => {
  const { h, focus, dev, cf, cfMsrp } = await remainSetup({ allowDefer: true }, 2000);
  try {
    await dev.msrp.bound();
    expectOk(await dev.sipp.done, 'lost device');
    await until(() => dev.msrp.peer.closed, 'the lost client\'s MSRP connection closed by the PF');
    // the same message (same IMDN Message-ID) in two SENDs, as a sender that lost the first answer would
    await sendWhileAway(cfMsrp, 'positive-delivery');
    await sendWhileAway(cfMsrp, 'positive-delivery');
    const ds = (await decisions(h.pf)).filter((d) => d.branch === 'BYE-4-R-ii');
    assert.deepEqual(ds.map((d) => d.outcome), ['DEFERRED', 'DEFERRED'], 'both SENDs were intercepted');
    const items = await listDeferred(h.pf.db.store, undefined);
    assert.deepEqual(items.map((i) => [i.kind, i.messageId]), [['CHAT_MESSAGE', 'msg-while-away-1']], 'the message sent twice is queued once');
  } finally {
    await dev.sipp.stop();
    await cf.stop();
    await cfMsrp.peer.close();
    await focus.stop();
    await h.stop();
  }
});
