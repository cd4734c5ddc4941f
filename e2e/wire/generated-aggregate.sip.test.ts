// IMDN-GEN-6 on the wire: reports the PF generates on a user's behalf, with aggregation on and the
// sender at home, wait for the window and leave in one request (the window's timer used to reach
// nobody, so such reports were never sent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchProviderPolicy } from '../../server/store/provider-policy';
import { withPfAndPeers } from '../support/raw-sip';
import { decisionsInOrder } from '../../server/store/decision-search';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

function standalone(id: string): Buffer {
  return Buffer.from(`From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ${id}\r\nDateTime: 2026-12-04T10:00:00Z\r\nimdn.Disposition-Notification: negative-delivery\r\n\r\nContent-Type: text/plain\r\n\r\nhello ${id}`);
}

test('IMDN-GEN-1, IMDN-GEN-6: two messages alice cannot receive give bob their <failed/> reports, aggregated in one window', () =>
  withPfAndPeers(1, async (pf, [bob]) => {
    const port = pf.sipAddress.port;
    await patchProviderPolicy(pf.db.store, { homeDomains: ['example.com'], imdnAggregation: { enabled: true, windowMs: 300, requireClientTag: false } }, 'test');
    await pf.policyChanged(null);
    assert.equal(await bob.register(port, 'bob'), 200);
    for (const id of ['g1', 'g2']) {
      const res = await bob.request(port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: standalone(id) });
      assert.equal(res?.startLine.split(' ')[1], '480', 'alice has no client and no deferral');
    }
    const deadline = Date.now() + 10_000;
    const reports = () => bob.requests.map((m) => m.body.toString()).join('\n');
    while (!(/<message-id>g1</.test(reports()) && /<message-id>g2</.test(reports())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(reports(), /<message-id>g1<\/message-id>[\s\S]*<failed\/>/);
    assert.match(reports(), /<message-id>g2<\/message-id>/);
    await pf.decisions.flush();
    const gen = await decisionsInOrder(pf.db.store, { branches: ['IMDN-GEN-6'] });
    assert.deepEqual(gen.map((d) => d.outcome), ['BUFFER', 'BUFFER', 'FLUSH']);
  }));
