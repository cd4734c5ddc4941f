// An invitation alice's own client originates: the topology routes it to the other user's PF,
// the PF sits in the middle as a B2BUA, and alice's leave (cause=200) is relayed (BYE-1d).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp, startSipp } from '../../support/sipp';
import { decisions, expectOk, onlySession, received, registerDevice, scenario, startSessionPf } from './session-harness';

test('BYE-1-O, BYE-1d, CLS-2: an originated 1-1 session: the client INVITE goes to the routed remote PF, the leave is relayed with its Reason', async () => {
  const remotePort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'net-pf', address: `127.0.0.1:${remotePort}` }], routes: [{ match: '@example\\.net', peer: 'net-pf' }] },
  });
  const remote = startSipp({ scenario: scenario('network-uas.xml'), localPort: remotePort, calls: 1, timeoutSec: 15 });
  try {
    const clientPort = await freePort();
    await registerDevice(h.target, 'alice', clientPort);
    const client = await runSipp({
      scenario: scenario('client-invite.xml'), target: h.target, localPort: clientPort, calls: 1, timeoutSec: 15,
      keys: { group_uri: 'sip:bob@example.net', contribution: 'c-orig', conversation: 'conv-orig', reason: 'SIP;cause=200;text="Bye Bob"' }, extra: ['-d', '500'],
    });
    expectOk(client, 'alice\'s client');
    const r = await remote.done;
    expectOk(r, 'remote PF');
    const invites = received(r, 'INVITE');
    assert.equal(invites.length, 1);
    assert.match(invites[0], /^INVITE sip:bob@example\.net SIP\/2\.0/m);
    assert.match(invites[0], /P-Asserted-Identity: <sip:alice@example\.com>/);
    assert.match(invites[0], /Contribution-ID: c-orig/);
    assert.match(received(r, 'BYE')[0] ?? '', /Reason: SIP;cause=200;text="Bye Bob"/);
    const s = await onlySession(h.pf);
    assert.equal(s.type, 'ONE_TO_ONE');
    assert.equal(s.mode, 'RELEASED');
    assert.deepEqual(s.legs.map((l) => [l.kind, l.state]).sort(), [['CLIENT', 'TERMINATED'], ['REMOTE_PF', 'TERMINATED']]);
    const branches = (await decisions(h.pf)).map((x) => x.branch);
    for (const b of ['CLS-2', 'BYE-1a', 'BYE-1d', 'BYE-1e-i', 'BYE-1f']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
  } finally {
    await remote.stop();
    await h.stop();
  }
});

test('BYE-2-410, BYE-2a, D-286: the CF ends the group the moment the PF ACKs its 200, before alice\'s client has ACKed the PF: the PF still releases the client with the CF\'s Reason', async () => {
  const cfPort = await freePort();
  const h = await startSessionPf({
    topology: { peers: [{ role: 'CF', name: 'cf', address: `127.0.0.1:${cfPort}` }], routes: [{ match: '@conf\\.example\\.net', peer: 'cf' }] },
  });
  const cf = startSipp({ scenario: scenario('network-uas-bye-at-once.xml'), localPort: cfPort, calls: 1, timeoutSec: 15, keys: { pf: h.target, reason: 'SIP;cause=410;text="Group terminated"' } });
  try {
    const clientPort = await freePort();
    await registerDevice(h.target, 'alice', clientPort);
    // the client takes a second to ACK: the CF's BYE reaches the PF while the client's leg is not up yet
    const client = await runSipp({
      scenario: scenario('client-invite-late-ack.xml'), target: h.target, localPort: clientPort, calls: 1, timeoutSec: 15,
      keys: { group_uri: 'sip:club@conf.example.net', contribution: 'c-race', conversation: 'conv-race' }, extra: ['-d', '1000'],
    });
    expectOk(await cf.done, 'CF');
    expectOk(client, 'alice\'s client');
    assert.match(received(client, 'BYE')[0] ?? '', /Reason: SIP;cause=410/);
    const branches = (await decisions(h.pf)).map((x) => x.branch);
    for (const b of ['CLS-5', 'BYE-2-410', 'BYE-2a', 'BYE-2d']) assert.ok(branches.includes(b), `decision ${b} missing: ${branches.join(' ')}`);
  } finally {
    await cf.stop();
    await h.stop();
  }
});
