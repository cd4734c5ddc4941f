// D-324 over SIP: the IMDN caches are bounded by PF_IMDN_CACHE_MAX. A notification whose cache
// entry was evicted to make room is handled as one never seen: a duplicate of it is forwarded
// again rather than suppressed (eviction can let a duplicate through, never lose a notification).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decisionsInOrder } from '../../server/store/decision-search';
import { rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

function delivered(id: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${id}</message-id><datetime>2026-12-05T10:00:00Z</datetime><recipient-uri>sip:bob@example.com</recipient-uri><original-recipient-uri>sip:bob@example.com</original-recipient-uri><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
  return Buffer.from(`From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n-${id}\r\nDateTime: 2026-12-05T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
}

for (const [max, outcomes] of [['1', ['FORWARD', 'FORWARD']], [undefined, ['FORWARD', 'DROP']]] as const) {
  test(`IMDN-RX-2a-i, IMDN-RX-3, D-324 over SIP: with PF_IMDN_CACHE_MAX=${max ?? 'default'}, bob's repeated report on mc-1 after one on mc-2 is ${outcomes[1] === 'FORWARD' ? 'forwarded again (its entry evicted)' : 'suppressed'}`, async () => {
    const pf = await startTestPf(max ? { PF_IMDN_CACHE_MAX: max } : {});
    const alice = await rawPeer();
    const bob = await rawPeer();
    try {
      const port = pf.sipAddress.port;
      assert.equal(await alice.register(port, 'alice'), 200);
      for (const id of ['mc-1', 'mc-2', 'mc-1']) {
        const r = await bob.request(port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: delivered(id) });
        assert.equal(r?.startLine, 'SIP/2.0 200 OK', id);
      }
      await pf.decisions.flush();
      const rx = async (id: string) => (await decisionsInOrder(pf.db.store, { messageId: id, procedure: 'IMDN-RX' })).filter((d) => d.servedUser === 'sip:alice@example.com').map((d) => d.outcome);
      assert.deepEqual(await rx('mc-1'), outcomes);
      assert.deepEqual(await rx('mc-2'), ['FORWARD']);
      assert.equal((await alice.waitForRequests(outcomes.filter((o) => o === 'FORWARD').length + 1)).length, outcomes.filter((o) => o === 'FORWARD').length + 1);
    } finally {
      for (const p of [alice, bob]) await p.close();
      await pf.stop();
    }
  });
}
