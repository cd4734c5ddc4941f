// A group session with two of alice's devices (directDeliveryToAllClients) whose offers carry MSRP
// (D-164): each device gets its own PF MSRP endpoint; the CF's messages reach both devices over
// MSRP, a device's message reaches the CF only; when one device is lost, the other keeps the session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsrpPeer, until } from '../../support/msrp-peer';
import { SipUa, msrpOffer } from '../../support/sip-ua';
import { readMsrpMedia } from '../../../server/msrp/sdp';
import { startSipp } from '../../support/sipp';
import { freePort } from '../../support/ports';
import { ALICE, SESSION_ICSI, scenario, startSessionPf, onlySession, waitFor, decisions } from './session-harness';
import { countDeferred } from '../../../server/store/deferred-queue';

export const cpimChat = (o: { from: string; to: string; id: string; body: string }) =>
  Buffer.from([`From: <${o.from}>`, `To: <${o.to}>`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${o.id}`, 'DateTime: 2026-11-23T10:00:00Z', '', 'Content-Type: text/plain', '', o.body].join('\r\n'));

test('D-164, BYE-1b-i-B: a group session held by two of alice\'s devices over MSRP: each device has its own PF endpoint, the CF\'s messages reach both, a device\'s message reaches the CF only; one device lost leaves the other connected', async () => {
  const cf = await SipUa.start('cf');
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cf.port}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    policy: { directDeliveryToAllClients: true },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 30, extra: ['-d', '20000'] });
  const phone = await SipUa.start('alice-phone');
  const laptop = await SipUa.start('alice-laptop');
  const cfPeer = await MsrpPeer.start('cf');
  const phonePeer = await MsrpPeer.start('phone');
  const laptopPeer = await MsrpPeer.start('laptop');
  const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
  try {
    const icsi = `;+g.3gpp.icsi-ref="${SESSION_ICSI}"`;
    assert.equal(await phone.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    assert.equal(await laptop.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    phone.answerSdp = () => msrpOffer(phonePeer.path);
    laptop.answerSdp = () => msrpOffer(laptopPeer.path);
    const r = await cf.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: 'sip:cf@net.example.net', contact: `<${groupUri}>;isfocus`, sdp: msrpOffer(cfPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-group2', 'Conversation-ID: conv-g2'],
    });
    assert.equal(r.status, 200);
    const [toPhone] = await phone.waitFor('INVITE');
    const [toLaptop] = await laptop.waitFor('INVITE');
    const phonePath = readMsrpMedia(toPhone.body.toString())!.path;
    const laptopPath = readMsrpMedia(toLaptop.body.toString())!.path;
    assert.notEqual(phonePath[0], laptopPath[0], 'each device is offered its own PF endpoint');
    cfPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await cfPeer.connect()).code, 200);
    // both devices answered without a=setup: the PF (the offerer) connects to each
    await phonePeer.accepted();
    await laptopPeer.accepted();
    phonePeer.remotePath = phonePath;
    laptopPeer.remotePath = laptopPath;
    assert.ok(await waitFor(async () => (await onlySession(h.pf).catch(() => undefined))?.legs.filter((l) => l.kind === 'CLIENT').length === 2), 'both devices are legs of the session');

    // the CF's message reaches both devices; the CF gets one 200
    const m1 = cfPeer.send(cpimChat({ from: 'sip:bob@net.example.net', to: ALICE, id: 'g2-1', body: 'hello both' }), { contentType: 'message/cpim', messageId: 'g2m1' });
    assert.equal((await cfPeer.response(m1.tids[0])).code, 200);
    await phonePeer.whole('g2m1');
    await laptopPeer.whole('g2m1');

    // the phone's message reaches the CF, not the laptop
    const m2 = phonePeer.send(cpimChat({ from: ALICE, to: groupUri, id: 'g2-2', body: 'from my phone' }), { contentType: 'message/cpim', messageId: 'g2m2' });
    assert.equal((await phonePeer.response(m2.tids[0])).code, 200);
    await cfPeer.whole('g2m2');
    assert.ok(!laptopPeer.wholes.some((w) => w.messageId === 'g2m2'), 'a device\'s message never goes to another device of the same user');

    // the laptop's connection is lost (BYE-1b-i-B): its MSRP connection closes, the phone keeps the session
    const laptopDialog = laptop.accepted.get(/Call-ID: (\S+)/i.exec(toLaptop.raw.toString())![1])!;
    assert.equal(await laptop.inDialog(h.pf.sipAddress.port, laptopDialog, 'BYE', ['Reason: SIP;cause=503;text="Connection lost"']), 200);
    await until(() => laptopPeer.closed, 'the laptop\'s MSRP connection closed', 5000);
    const m3 = cfPeer.send(cpimChat({ from: 'sip:bob@net.example.net', to: ALICE, id: 'g2-3', body: 'still there?' }), { contentType: 'message/cpim', messageId: 'g2m3' });
    assert.equal((await cfPeer.response(m3.tids[0])).code, 200);
    await phonePeer.whole('g2m3');
    assert.equal((await onlySession(h.pf)).mode, 'ACTIVE');
  } finally {
    await focus.stop();
    for (const p of [cfPeer, phonePeer, laptopPeer]) await p.close();
    await phone.close();
    await laptop.close();
    await cf.close();
    await h.stop();
  }
});

test('D-165, CLS-MSRP, BYE-4-R, BYE-4-R-ii-def, BYE-4-R-iii-2: alice\'s MSRP connection drops without a BYE: the PF ends her dialog (BYE 503), stays in the group, answers and defers the CF\'s SEND, and delivers it over her new MSRP connection when she re-joins', async () => {
  const cf = await SipUa.start('cf');
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cf.port}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    prefs: { allowDefer: true },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 30, extra: ['-d', '20000'] });
  const device = await SipUa.start('alice');
  const cfPeer = await MsrpPeer.start('cf');
  const alicePeer = await MsrpPeer.start('alice');
  const alicePeer2 = await MsrpPeer.start('alice2');
  const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
  const contribution = `contrib-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const icsi = `;+g.3gpp.icsi-ref="${SESSION_ICSI}"`;
    assert.equal(await device.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    device.answerSdp = () => msrpOffer(alicePeer.path);
    const r = await cf.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: 'sip:cf@net.example.net', contact: `<${groupUri}>;isfocus`, sdp: msrpOffer(cfPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, `Contribution-ID: ${contribution}`, 'Conversation-ID: conv-g3'],
    });
    assert.equal(r.status, 200);
    cfPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await cfPeer.connect()).code, 200);
    await alicePeer.accepted();
    const m1 = cfPeer.send(cpimChat({ from: 'sip:bob@net.example.net', to: ALICE, id: 'g3-1', body: 'hello' }), { contentType: 'message/cpim', messageId: 'g3m1' });
    assert.equal((await cfPeer.response(m1.tids[0])).code, 200);
    await alicePeer.whole('g3m1');

    // alice's network goes: her MSRP connection drops, no BYE from her
    alicePeer.drop();
    const [bye] = await device.waitFor('BYE', 1, 10_000);
    assert.match(bye.raw.toString(), /Reason: SIP;cause=503/);
    assert.ok(await waitFor(async () => (await onlySession(h.pf)).mode === 'REMAIN_DISCONNECTED'), 'the PF stays in the group');
    assert.ok(!cfPeer.closed, 'the network side stays open');
    assert.equal(cf.requests.filter((m) => m.startLine.startsWith('BYE ')).length, 0, 'no BYE to the CF');

    // the CF's message while alice is away: answered 200 by the PF and deferred
    const m2 = cfPeer.send(cpimChat({ from: 'sip:bob@net.example.net', to: ALICE, id: 'g3-2', body: 'while you were away' }), { contentType: 'message/cpim', messageId: 'g3m2' });
    assert.equal((await cfPeer.response(m2.tids[0])).code, 200);
    assert.ok(await waitFor(async () => (await countDeferred(h.pf.db.store)) === 1), 'the chat message was deferred');

    // alice re-joins with a new MSRP endpoint: the deferred message arrives over it
    const back = await device.invite(h.pf.sipAddress.port, {
      uri: groupUri, from: ALICE, sdp: msrpOffer(alicePeer2.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, `Contribution-ID: ${contribution}`],
    });
    assert.equal(back.status, 200);
    alicePeer2.remotePath = readMsrpMedia(back.sdp)!.path;
    assert.equal((await alicePeer2.connect()).code, 200);
    await alicePeer2.waitFor(() => alicePeer2.wholes.some((w) => w.body.includes(Buffer.from('while you were away'))), 'the deferred message');

    const branches = (await decisions(h.pf)).map((d) => `${d.branch}:${d.outcome}`);
    for (const b of ['CLS-MSRP:NETWORK_RELEASE', 'BYE-4-R:REMAIN', 'BYE-4-R-ii:DEFERRED', 'BYE-4-R-iii-2:REJOINED']) assert.ok(branches.includes(b), `${b} missing: ${branches.join(' ')}`);
  } finally {
    await focus.stop();
    for (const p of [cfPeer, alicePeer, alicePeer2]) await p.close();
    await device.close();
    await cf.close();
    await h.stop();
  }
});

test('D-164, D-165, CLS-MSRP, BYE-1b-i-B: one of alice\'s two devices loses its MSRP connection without a BYE: the PF ends that device\'s dialog only, and the other keeps getting the group\'s messages', async () => {
  const cf = await SipUa.start('cf');
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cf.port}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
    policy: { directDeliveryToAllClients: true },
    prefs: { allowDefer: true },
  });
  const focus = startSipp({ scenario: scenario('focus.xml'), localPort: focusPort, calls: 1, timeoutSec: 30, extra: ['-d', '20000'] });
  const phone = await SipUa.start('alice-phone');
  const laptop = await SipUa.start('alice-laptop');
  const cfPeer = await MsrpPeer.start('cf');
  const phonePeer = await MsrpPeer.start('phone');
  const laptopPeer = await MsrpPeer.start('laptop');
  const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
  try {
    const icsi = `;+g.3gpp.icsi-ref="${SESSION_ICSI}"`;
    assert.equal(await phone.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    assert.equal(await laptop.register(h.pf.sipAddress.port, ALICE, icsi), 200);
    phone.answerSdp = () => msrpOffer(phonePeer.path);
    laptop.answerSdp = () => msrpOffer(laptopPeer.path);
    const r = await cf.invite(h.pf.sipAddress.port, {
      uri: ALICE, from: 'sip:cf@net.example.net', contact: `<${groupUri}>;isfocus`, sdp: msrpOffer(cfPeer.path),
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, 'Contribution-ID: c-group4', 'Conversation-ID: conv-g4'],
    });
    assert.equal(r.status, 200);
    cfPeer.remotePath = readMsrpMedia(r.sdp)!.path;
    assert.equal((await cfPeer.connect()).code, 200);
    await phonePeer.accepted();
    await laptopPeer.accepted();
    assert.ok(await waitFor(async () => (await onlySession(h.pf).catch(() => undefined))?.legs.filter((l) => l.kind === 'CLIENT').length === 2));

    laptopPeer.drop();
    const [bye] = await laptop.waitFor('BYE', 1, 10_000);
    assert.match(bye.raw.toString(), /Reason: SIP;cause=503/);
    assert.equal(phone.requests.filter((m) => m.startLine.startsWith('BYE ')).length, 0, 'the phone keeps its dialog');
    const s = await onlySession(h.pf);
    assert.equal(s.mode, 'ACTIVE');
    const m = cfPeer.send(cpimChat({ from: 'sip:bob@net.example.net', to: ALICE, id: 'g4-1', body: 'after the laptop went' }), { contentType: 'message/cpim', messageId: 'g4m1' });
    assert.equal((await cfPeer.response(m.tids[0])).code, 200);
    await phonePeer.whole('g4m1');
    assert.equal(await countDeferred(h.pf.db.store), 0, 'nothing deferred: a device is still there');
    const branches = (await decisions(h.pf)).map((d) => `${d.branch}:${d.outcome}`);
    for (const b of ['CLS-MSRP:NETWORK_RELEASE', 'BYE-1b-i-B:CLIENT_LEG_ERROR']) assert.ok(branches.includes(b), `${b} missing: ${branches.join(' ')}`);
  } finally {
    await focus.stop();
    for (const p of [cfPeer, phonePeer, laptopPeer]) await p.close();
    await phone.close();
    await laptop.close();
    await cf.close();
    await h.stop();
  }
});
