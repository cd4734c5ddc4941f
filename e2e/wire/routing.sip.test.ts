// D-113: a served user's message to someone this PF does not serve gets a final answer and a
// decision, never silence (issue 13: a stock phone waited 32 s for nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPfAndPeers } from '../support/raw-sip';
import { decisionsInOrder } from '../../server/store/decision-search';

test('CORE-2, CORE-4, CORE-1, 11.1-4, IMDN-TX: an unknown user of the own domain and an unresolvable host get 404 at once, for messages and notifications alike; a reachable host and another user of the PF get the message', () =>
  withPfAndPeers(3, async (pf, [bob, far, alice]) => {
    const port = pf.sipAddress.port;
    assert.equal(await bob.register(port, 'bob'), 200);
    assert.equal(await alice.register(port, 'alice'), 200);
    const send = (uri: string) => bob.request(port, { uri, from: 'sip:bob@example.com', headers: ['Content-Type: text/plain'], body: Buffer.from('hello') });
    assert.equal((await send('sip:dave@example.com'))?.startLine, 'SIP/2.0 404 Not Found');
    assert.equal((await send('sip:erin@no-such-host.invalid'))?.startLine, 'SIP/2.0 404 Not Found');
    assert.equal((await send(`sip:frank@127.0.0.1:${far.port}`))?.startLine, 'SIP/2.0 200 OK');
    assert.equal((await far.waitForRequests(1))[0].body.toString(), 'hello');
    assert.equal((await send('sip:alice@example.com'))?.startLine, 'SIP/2.0 200 OK');
    assert.equal((await alice.waitForRequests(1))[0].body.toString(), 'hello');
    // a delivery notification from bob's client takes the same route decision (IMDN-TX, then CORE)
    const imdn = `From: <sip:bob@example.com>\r\nTo: <sip:erin@no-such-host.invalid>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n1\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>e1</message-id><datetime>2026-12-04T10:00:00Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
    const res = await bob.request(port, { uri: 'sip:erin@no-such-host.invalid', from: 'sip:bob@example.com', headers: ['Content-Type: message/cpim'], body: Buffer.from(imdn) });
    assert.equal(res?.startLine, 'SIP/2.0 404 Not Found');
    await pf.decisions.flush();
    const core = await decisionsInOrder(pf.db.store, { branch: 'CORE-' });
    assert.deepEqual(core.map((d) => [d.branch, d.outcome]), [['CORE-2', 'REJECT'], ['CORE-4', 'REJECT'], ['CORE-1', 'FORWARD'], ['CORE-4', 'REJECT']]);
  }));

test('11.1-5, D-115: a message to a contact that died without unregistering is answered before the sender\'s Timer F (32 s)', () =>
  withPfAndPeers(2, async (pf, [dead, bob]) => {
    const port = pf.sipAddress.port;
    assert.equal(await dead.register(port, 'alice'), 200);
    await dead.close(); // the phone is gone; its registration is not
    const started = Date.now();
    const res = await bob.request(port, {
      uri: 'sip:alice@example.com', from: 'sip:bob@example.net',
      headers: ['Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"', 'Content-Type: text/plain'],
      body: Buffer.from('are you there?'), deadlineMs: 31_000,
    });
    assert.ok(res, `no final answer within 31 s (${Date.now() - started} ms)`);
    assert.match(res.startLine, /^SIP\/2\.0 (202|480) /);
  }));
