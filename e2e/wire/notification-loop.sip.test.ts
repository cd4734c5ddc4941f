// D-114: two misbehaving clients that answer every notification with another one cannot drive
// unbounded traffic through the PF (issue 13: two phones stormed each other, 3,900 MESSAGEs in 25 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rawPeer, type RawPeer, type RawMessage } from '../support/raw-sip';
import { patchProviderPolicy } from '../../server/store/provider-policy';
import { startTestPf } from '../support/test-pf';
import { countDecisions } from '../../server/store/decision-search';

function notification(from: string, to: string, aboutId: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${aboutId}</message-id><datetime>2026-12-04T10:00:00Z</datetime><delivery-notification><status><error/></status></delivery-notification></imdn>`;
  return Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n${randomBytes(6).toString('hex')}\r\nDateTime: 2026-12-04T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
}

const ownId = (m: RawMessage) => /^imdn\.Message-ID:\s*(\S+)/im.exec(m.body.toString())?.[1] ?? '';
const aboutId = (m: RawMessage) => /<message-id>([^<]+)<\/message-id>/.exec(m.body.toString())?.[1] ?? '';

/** A client that answers every notification it gets with a notification of its own. */
function misbehave(me: RawPeer, user: string, other: string, pf: number, about: (m: RawMessage) => string): void {
  me.onRequest = (m) => {
    void me.request(pf, {
      uri: `sip:${other}@example.com`, from: `sip:${user}@example.com`,
      headers: ['Content-Type: message/cpim'], body: notification(`sip:${user}@example.com`, `sip:${other}@example.com`, about(m)),
    });
  };
}

// LOOP-1 is the backstop where duplicate filtering does not drop repeats: imdnDirectForward.
for (const [name, about, branch, directForward] of [
  ['each reports on the notification it got', ownId, 'LOOP-2', false],
  ['each reports again on the same message, with duplicate filtering off', aboutId, 'LOOP-1', true],
] as const) {
  test(`${branch}: two clients that ${name} exchange a bounded number of notifications through the PF`, async () => {
    const pf = await startTestPf();
    if (directForward) {
      await patchProviderPolicy(pf.db.store, { imdnDirectForward: true }, 'test');
      await pf.policyChanged(null);
    }
    const port = pf.sipAddress.port;
    const alice = await rawPeer();
    const bob = await rawPeer();
    try {
      assert.equal(await alice.register(port, 'alice'), 200);
      assert.equal(await bob.register(port, 'bob'), 200);
      misbehave(alice, 'alice', 'bob', port, about);
      misbehave(bob, 'bob', 'alice', port, about);
      await alice.request(port, { uri: 'sip:bob@example.com', from: 'sip:alice@example.com', headers: ['Content-Type: message/cpim'], body: notification('sip:alice@example.com', 'sip:bob@example.com', 'm0') });
      await new Promise((r) => setTimeout(r, 3000));
      const total = alice.requests.length + bob.requests.length;
      assert.ok(total <= 25, `${total} notifications delivered in 3 s`);
      await pf.decisions.flush();
      const loops = await countDecisions(pf.db.store, { branches: [branch] });
      assert.ok(loops >= 1, `a ${branch} decision explains the drop`);
    } finally {
      alice.onRequest = () => {};
      bob.onRequest = () => {};
      await alice.close();
      await bob.close();
      await pf.stop();
    }
  });
}
