// D-297: srf reaches the embedded edge in process, on the edge's thread or beside it; PF_EDGE_LINK=tcp
// keeps the control port's TCP. Each mode carries a REGISTER and a MESSAGE delivered to the
// registered client, and stops cleanly (the PF's stop replays what it recorded).
import assert from 'node:assert/strict';
import test from 'node:test';
import { LinkSocket } from '../../server/edge/link-socket';
import { srfSockets } from '../../server/sip/srf-cork';
import { rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

for (const thread of ['on', 'off'] as const) {
  for (const link of ['in-process', 'tcp'] as const) {
    test(`D-297: edge thread ${thread}, PF_EDGE_LINK=${link}: srf's socket to the edge is ${link === 'tcp' ? 'a TCP connection' : 'the in-process link'}, and it carries a REGISTER and a MESSAGE`, async () => {
      // the MESSAGE through srf too: the MESSAGE link (D-341) would take it past srf's socket
      const pf = await startTestPf({ PF_EDGE_THREAD: thread, PF_EDGE_LINK: link, PF_MESSAGE_LINK: 'off' });
      const client = await rawPeer();
      const sender = await rawPeer();
      try {
        const sockets = srfSockets(pf.srf);
        assert.equal(sockets.length, 1);
        assert.equal(sockets[0] instanceof LinkSocket, link === 'in-process');
        const sip = pf.sipAddress.port;
        assert.equal(await client.register(sip, 'bob'), 200);
        const res = await sender.request(sip, {
          uri: 'sip:bob@example.com',
          from: 'sip:dave@127.0.0.1',
          headers: ['Content-Type: text/plain', 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"'],
          body: Buffer.from('hello over the link'),
        });
        assert.equal(res?.startLine.split(' ')[1], '200');
        const [got] = await client.waitForRequests(1);
        assert.equal(got.body.toString(), 'hello over the link');
      } finally {
        await client.close();
        await sender.close();
        await pf.stop();
      }
    });
  }
}
