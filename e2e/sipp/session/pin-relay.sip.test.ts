// PIN-N1r (B2BUA) over real SIP: alice's client subscribes to her group's conference through the
// PF; the focus's NOTIFYs are relayed to it (roster applied to the session, source RELAYED), its
// answers relayed back, and its unsubscribe reaches the focus. A subscription the PF must not
// relay is refused (DECISIONS D-110).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpmSession } from '../../../server/engine/model';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { startSippMsrp } from '../../support/sipp-msrp';
import { decisions, expectOk, networkMsrpKeys, onlySession, received, registerDevice, scenario, startDevice, startSessionPf, waitFor } from './session-harness';
import { countSessions } from '../../../server/store/sessions';

test('PIN-N1r-b2b, PIN-N2: a client’s own conference subscription is relayed both ways through the PF, and its roster becomes the session’s (RELAYED)', async () => {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
  });
  const focus = startSipp({ scenario: scenario('focus-relay.xml'), localPort: focusPort, calls: 1, timeoutSec: 30 });
  const dev = await startDevice(h.target, 'device.xml', { timeoutSec: 30 });
  const cfMsrp = await startSippMsrp('cf');
  const cf = startSipp({
    scenario: scenario('network-msrp.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 30,
    keys: networkMsrpKeys(cfMsrp, focusPort, { contact_params: ';isfocus', reason: 'SIP;cause=410;text="Group ended"' }), extra: ['-d', '9000'],
  });
  try {
    assert.ok(await waitFor(async () => (await countSessions(h.pf.db.store, { mode: 'ACTIVE' })) === 1, 10_000), 'the group session is up');
    const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
    const subscriberPort = await freePort();

    // not alice's registered client yet: refused, nothing reaches the focus
    const stranger = await runSipp({ scenario: scenario('conf-subscribe-refused.xml'), target: h.target, localPort: subscriberPort, calls: 1, timeoutSec: 10, keys: { group_uri: groupUri } });
    expectOk(stranger, 'unregistered subscriber');

    await registerDevice(h.target, 'alice', subscriberPort);
    // a conference no session of alice's has: refused as well
    const elsewhere = await runSipp({ scenario: scenario('conf-subscribe-refused.xml'), target: h.target, localPort: subscriberPort, calls: 1, timeoutSec: 10, keys: { group_uri: 'sip:other-group@127.0.0.1:9' } });
    expectOk(elsewhere, 'subscriber to another conference');

    const client = await runSipp({ scenario: scenario('client-conf-subscribe.xml'), target: h.target, localPort: subscriberPort, calls: 1, timeoutSec: 15, keys: { group_uri: groupUri } });
    expectOk(client, 'subscribing client');
    const notifies = received(client, 'NOTIFY');
    assert.equal(notifies.length, 2, 'the client gets both NOTIFYs of the focus');
    assert.match(notifies[0], /Subscription-State: active;expires=600/);
    assert.match(notifies[0], /<user entity="sip:carol@example\.net" state="full">/, 'the roster body is relayed unchanged');
    assert.match(notifies[1], /Subscription-State: terminated;reason=timeout/);

    const f = await focus.done;
    expectOk(f, 'focus');
    const subscribes = received(f, 'SUBSCRIBE');
    assert.equal(subscribes.length, 2, 'the subscribe and the unsubscribe reach the focus, the refused ones do not');
    assert.match(subscribes[0], /From: <sip:alice@example\.com>/);
    assert.match(subscribes[0], /Contact: <sip:pf-relay@/);
    assert.match(subscribes[1], /Expires: 0/);

    const ds = (await decisions(h.pf)).filter((d) => d.branch === 'PIN-N1r');
    assert.deepEqual(ds.map((d) => d.outcome), ['RELAY', 'RELAY']);
    await h.pf.decisions.flush();
    const s = JSON.parse((await onlySession(h.pf)).snapshot) as CpmSession;
    assert.equal(s.participants.source, 'RELAYED');
    assert.ok(s.participants.users['sip:carol@example.net'], 'carol is in the session roster');
    assert.ok(s.participants.users['sip:bob@example.net']);

    expectOk(await cf.done, 'CF');
  } finally {
    await focus.stop();
    await cf.stop();
    await cfMsrp.peer.close();
    await dev.sipp.stop();
    await h.stop();
  }
});

// RFC 4575 §4.6 over real SIP: two of alice's devices subscribe to the conference through the PF,
// one after the other. The focus counts versions per subscription, so the second subscription
// starts again at 1. Each document of both subscriptions reaches the session roster (DECISIONS
// D-124): the user who joins in the second subscription's version 2 is in it.
test('PIN-N1r-b2b, PIN-N2 over SIP: two devices’ relayed subscriptions each start at version 1; both are applied and nobody is lost', async () => {
  const cfPort = await freePort();
  const focusPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }, { role: 'CF', name: 'cf-focus', address: `127.0.0.1:${focusPort}` }] },
  });
  const focus = startSipp({ scenario: scenario('focus-relay-partial.xml'), localPort: focusPort, calls: 2, timeoutSec: 30 });
  const dev = await startDevice(h.target, 'device.xml', { timeoutSec: 30 });
  const cfMsrp = await startSippMsrp('cf');
  const cf = startSipp({
    scenario: scenario('network-msrp.xml'), target: h.target, localPort: cfPort, service: 'alice', calls: 1, timeoutSec: 30,
    keys: networkMsrpKeys(cfMsrp, focusPort, { contact_params: ';isfocus', reason: 'SIP;cause=410;text="Group ended"' }), extra: ['-d', '11000'],
  });
  try {
    assert.ok(await waitFor(async () => (await countSessions(h.pf.db.store, { mode: 'ACTIVE' })) === 1, 10_000), 'the group session is up');
    const groupUri = `sip:group1@127.0.0.1:${focusPort}`;
    for (const n of [1, 2]) {
      const port = await freePort();
      await registerDevice(h.target, 'alice', port);
      const client = await runSipp({ scenario: scenario('client-conf-subscribe-partial.xml'), target: h.target, localPort: port, calls: 1, timeoutSec: 15, keys: { group_uri: groupUri } });
      expectOk(client, `subscribing device ${n}`);
      const notifies = received(client, 'NOTIFY');
      assert.equal(notifies.length, 3, `device ${n} gets its subscription's NOTIFYs`);
      assert.match(notifies[1], new RegExp(`sip:user${n}@example\\.net`), `device ${n} gets its own partial update`);
    }
    expectOk(await focus.done, 'focus');

    // the two terminated NOTIFYs carry no body (PIN-N2 NO_BODY): the four documents are what counts
    const pin = (await decisions(h.pf)).filter((d) => d.procedure === 'PIN' && ['PIN-N2', 'PIN-N3', 'PIN-N4'].includes(d.branch) && d.outcome !== 'NO_BODY');
    assert.deepEqual(pin.map((d) => [d.branch, d.outcome]), [
      ['PIN-N2', 'ROSTER_UPDATED'],
      ['PIN-N2', 'ROSTER_UPDATED'],
      ['PIN-N2', 'ROSTER_UPDATED'],
      ['PIN-N2', 'ROSTER_UPDATED'],
    ], 'every document of both subscriptions is applied, none judged stale');
    const s = JSON.parse((await onlySession(h.pf)).snapshot) as CpmSession;
    assert.equal(s.participants.source, 'RELAYED');
    assert.ok(s.participants.users['sip:user2@example.net'], 'the user who joined in the second subscription is in the roster');
    assert.ok(s.participants.users['sip:bob@example.net']);
    expectOk(await cf.done, 'CF');
  } finally {
    await focus.stop();
    await cf.stop();
    await cfMsrp.peer.close();
    await dev.sipp.stop();
    await h.stop();
  }
});
