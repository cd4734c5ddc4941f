// D-341: with PF_MESSAGE_LINK=on a MESSAGE outside a dialog reaches the PF from the embedded edge
// over the MESSAGE link, not through srf, on the edge's thread or beside it; with off it goes
// through srf, as it does behind a real drachtio-server. Either way the PF decides the same: a
// MESSAGE to a registered user reaches the client byte for byte, its 200 comes back, a repeated
// IMDN is answered and not sent again (IMDN-RX), and the stop replays what was recorded.
import assert from 'node:assert/strict';
import test from 'node:test';
import { headerOf, rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

const imdn = (id: string) =>
  Buffer.from(
    [
      'From: <sip:dave@example.com>',
      'To: <sip:bob@example.com>',
      'NS: imdn <urn:ietf:params:imdn>',
      `imdn.Message-ID: n-${id}`,
      'DateTime: 2026-12-06T07:00:00Z',
      '',
      'Content-type: message/imdn+xml',
      'Content-Disposition: notification',
      '',
      `<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${id}</message-id><datetime>2026-12-06T06:59:00Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>`,
    ].join('\r\n'),
  );

for (const thread of ['on', 'off'] as const) {
  for (const link of ['on', 'off'] as const) {
    test(`D-341, IMDN-RX-2a-i-del: edge thread ${thread}, PF_MESSAGE_LINK=${link}: a MESSAGE and an IMDN and its repeat ${link === 'on' ? 'cross the MESSAGE link' : 'go through srf'}, with the same outcome`, async () => {
      const pf = await startTestPf({ PF_EDGE_THREAD: thread, PF_MESSAGE_LINK: link });
      const client = await rawPeer();
      const sender = await rawPeer();
      try {
        const sip = pf.sipAddress.port;
        assert.equal(await client.register(sip, 'bob'), 200);
        const text = await sender.request(sip, {
          uri: 'sip:bob@example.com',
          from: 'sip:dave@127.0.0.1',
          headers: ['Content-Type: text/plain', 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"'],
          body: Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]),
        });
        assert.equal(text?.startLine.split(' ')[1], '200');
        const [got] = await client.waitForRequests(1);
        assert.deepEqual([...got.body], [0x00, 0xff, 0x0d, 0x0a, 0x80], 'the body byte for byte');

        const notify = () => sender.request(sip, { uri: 'sip:bob@example.com', from: 'sip:dave@example.com', headers: ['Content-Type: message/cpim', 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"'], body: imdn('m-1') });
        assert.equal((await notify())?.startLine.split(' ')[1], '200');
        assert.equal((await notify())?.startLine.split(' ')[1], '200', 'the repeat is answered');
        await new Promise((r) => setTimeout(r, 300));
        const imdns = client.requests.filter((r) => /message\/cpim/i.test(headerOf(r, 'Content-Type') ?? ''));
        assert.equal(imdns.length, 1, 'and not sent to the client again');

        await pf.edge?.refresh?.();
        assert.equal(pf.edge?.stats().linkedMessages, link === 'on' ? 3 : 0, 'the way the MESSAGEs came');
      } finally {
        await client.close();
        await sender.close();
        await pf.stop();
      }
    });
  }
}
