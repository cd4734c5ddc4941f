// D-320 over SIP: the MessageIndex is bounded (PF_MESSAGE_INDEX_MAX). A notification about a
// message the PF no longer remembers is handled as one about a message sent before a restart:
// it still reaches the sender, its original only reads as of unknown kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decisionsInOrder } from '../../server/store/decision-search';
import { rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

function message(id: string): Buffer {
  return Buffer.from(`From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ${id}\r\nDateTime: 2026-12-05T10:00:00Z\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\nContent-Type: text/plain\r\n\r\nhello ${id}`);
}

function delivered(id: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${id}</message-id><datetime>2026-12-05T10:00:00Z</datetime><recipient-uri>sip:bob@example.com</recipient-uri><original-recipient-uri>sip:bob@example.com</original-recipient-uri><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
  return Buffer.from(`From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n-${id}\r\nDateTime: 2026-12-05T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
}

test('IMDN-RX-3, AMB-9, D-320 over SIP: with room for one message, the report on alice\'s older message still reaches her, its original of unknown kind; the newer one is known', async () => {
  const pf = await startTestPf({ PF_MESSAGE_INDEX_MAX: '1' });
  const alice = await rawPeer();
  const bob = await rawPeer();
  try {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port, 'alice'), 200);
    assert.equal(await bob.register(port, 'bob'), 200);
    for (const id of ['mi-1', 'mi-2']) {
      const r = await alice.request(port, { uri: 'sip:bob@example.com', from: 'sip:alice@example.com', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: message(id) });
      assert.equal(r?.startLine, 'SIP/2.0 200 OK', id);
    }
    assert.equal((await bob.waitForRequests(2)).length, 2);
    for (const id of ['mi-1', 'mi-2']) {
      const r = await bob.request(port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: delivered(id) });
      assert.equal(r?.startLine, 'SIP/2.0 200 OK', id);
    }
    assert.equal((await alice.waitForRequests(2)).length, 2, 'both reports reached alice');
    await pf.decisions.flush();
    const kinds = async (id: string) => (await decisionsInOrder(pf.db.store, { messageId: id, procedure: 'IMDN-RX' })).filter((d) => d.servedUser === 'sip:alice@example.com').map((d) => [d.outcome, d.inputs.messageKind]);
    assert.deepEqual(await kinds('mi-1'), [['FORWARD', 'unknown']], 'mi-1 was forgotten when mi-2 was sent');
    assert.deepEqual(await kinds('mi-2'), [['FORWARD', 'STANDALONE']]);
  } finally {
    for (const p of [alice, bob]) await p.close();
    await pf.stop();
  }
});
