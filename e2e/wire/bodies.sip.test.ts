// Bodies are bytes end to end (issue 13, D-112): what a peer sends leaves the PF with the same
// bytes, Content-Type and Content-Encoding, whatever the bytes are; a compressed notification is
// inflated only to be inspected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { headerOf, withPfAndPeers } from '../support/raw-sip';
import { decisionsInOrder } from '../../server/store/decision-search';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

/** Every byte value once, shuffled, then random bytes: no encoding can pass this unchanged by luck. */
function everyByte(extra: number): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let i = all.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return Buffer.concat([all, randomBytes(extra)]);
}

function imdnCpim(messageId: string): string {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${messageId}</message-id><datetime>2026-12-04T10:00:00Z</datetime><recipient-uri>sip:bob@example.com</recipient-uri><original-recipient-uri>sip:bob@example.com</original-recipient-uri><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
  return `From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n-${messageId}\r\nDateTime: 2026-12-04T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`;
}

test('11.1-4: binary bodies (every byte value) reach the client byte for byte, in both directions, with their Content-Type and Content-Encoding', () =>
  withPfAndPeers(2, async (pf, [bob, net]) => {
    const port = pf.sipAddress.port;
    assert.equal(await bob.register(port, 'bob'), 200);
    const sent: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const body = everyByte(randomInt(2000));
      sent.push(body);
      const res = await net.request(port, {
        uri: 'sip:bob@example.com', from: 'sip:dave@127.0.0.1',
        headers: [MSG_TAG, 'Content-Type: application/octet-stream', 'Content-Encoding: x-opaque'], body,
      });
      assert.equal(res?.startLine, 'SIP/2.0 200 OK', `message ${i}`);
    }
    const got = await bob.waitForRequests(5);
    for (const [i, m] of got.entries()) {
      assert.ok(m.body.equals(sent[i]), `body ${i}: ${m.body.length} bytes received for ${sent[i].length} sent`);
      assert.equal(headerOf(m, 'Content-Type'), 'application/octet-stream');
      assert.equal(headerOf(m, 'Content-Encoding'), 'x-opaque');
    }

    // Originating: the registered client's binary message leaves toward the network unchanged.
    const out = deflateSync(everyByte(777));
    const res = await bob.request(port, {
      uri: `sip:dave@127.0.0.1:${net.port}`, from: 'sip:bob@example.com',
      headers: ['Content-Type: application/octet-stream', 'Content-Encoding: deflate'], body: out,
    });
    assert.equal(res?.startLine, 'SIP/2.0 200 OK');
    const [arrived] = await net.waitForRequests(1);
    assert.ok(arrived.body.equals(out), `originating body: ${arrived.body.length} bytes for ${out.length}`);
    assert.equal(headerOf(arrived, 'Content-Encoding'), 'deflate');
  }));

test('IMDN-RX-3, IMDN-RX-2b: a gzip- or deflate-compressed notification is recognised after inflating and reaches the client with its own bytes and Content-Encoding', () =>
  withPfAndPeers(2, async (pf, [alice, net]) => {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port, 'alice'), 200);
    const bodies = [gzipSync(imdnCpim('gz-1')), deflateSync(imdnCpim('df-1'))];
    for (const [i, encoding] of ['gzip', 'deflate'].entries()) {
      const res = await net.request(port, {
        uri: 'sip:alice@example.com', from: 'sip:bob@example.com',
        headers: [MSG_TAG, 'Content-Type: message/cpim', `Content-Encoding: ${encoding}`], body: bodies[i],
      });
      assert.equal(res?.startLine, 'SIP/2.0 200 OK');
    }
    const got = await alice.waitForRequests(2);
    assert.ok(got[0].body.equals(bodies[0]) && got[1].body.equals(bodies[1]), 'compressed bodies relayed unchanged');
    assert.deepEqual(got.map((m) => headerOf(m, 'Content-Encoding')), ['gzip', 'deflate']);
    await pf.decisions.flush();
    const rx = await decisionsInOrder(pf.db.store, { procedure: 'IMDN-RX' });
    assert.deepEqual(rx.map((d) => [d.messageId, d.branch, d.outcome]), [['gz-1', 'IMDN-RX-3', 'FORWARD'], ['df-1', 'IMDN-RX-2b', 'FORWARD']]);
  }));

test('BODY-2: a compression bomb gets 413 and nothing else is disturbed; a corrupt compressed body gets 400', () =>
  withPfAndPeers(2, async (pf, [alice, net]) => {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port, 'alice'), 200);
    // 32 MiB of zeros deflates to about 32 KiB (one datagram): far past the inspection cap.
    const bomb = deflateSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 });
    const rss = process.memoryUsage().rss;
    const res = await net.request(port, {
      uri: 'sip:alice@example.com', from: 'sip:bob@example.com',
      headers: [MSG_TAG, 'Content-Type: message/cpim', 'Content-Encoding: deflate'], body: bomb,
    });
    assert.equal(res?.startLine.split(' ')[1], '413');
    assert.ok(process.memoryUsage().rss - rss < 48 * 1024 * 1024, 'the bomb was not inflated whole');
    const corrupt = await net.request(port, {
      uri: 'sip:alice@example.com', from: 'sip:bob@example.com',
      headers: [MSG_TAG, 'Content-Type: message/cpim', 'Content-Encoding: gzip'], body: randomBytes(300),
    });
    assert.equal(corrupt?.startLine.split(' ')[1], '400');
    // The PF still serves: a normal notification passes.
    const ok = await net.request(port, {
      uri: 'sip:alice@example.com', from: 'sip:bob@example.com',
      headers: [MSG_TAG, 'Content-Type: message/cpim'], body: Buffer.from(imdnCpim('plain-1')),
    });
    assert.equal(ok?.startLine, 'SIP/2.0 200 OK');
    assert.equal((await alice.waitForRequests(1)).length, 1);
    await pf.decisions.flush();
    const refused = await decisionsInOrder(pf.db.store, { branches: ['BODY-2', 'BODY-3'] });
    assert.deepEqual(refused.map((d) => [d.branch, d.outcome]), [['BODY-2', 'REJECT'], ['BODY-3', 'REJECT']]);
  }));

test('IMDN-TX, IMDN-RX: a client\'s deflate-compressed notification to another user of the PF is read on both sides and arrives with its own bytes', () =>
  withPfAndPeers(2, async (pf, [alice, bob]) => {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port, 'alice'), 200);
    assert.equal(await bob.register(port, 'bob'), 200);
    // bob's phone reports on alice's message tx-1 (the CPIM From is bob, the notifier)
    const body = deflateSync(imdnCpim('tx-1'));
    const res = await bob.request(port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: ['Content-Type: message/cpim', 'Content-Encoding: deflate'], body });
    assert.equal(res?.startLine, 'SIP/2.0 200 OK');
    const [got] = await alice.waitForRequests(1);
    assert.ok(got.body.equals(body), 'relayed unchanged');
    assert.equal(headerOf(got, 'Content-Encoding'), 'deflate');
    await pf.decisions.flush();
    const seen = await decisionsInOrder(pf.db.store, { messageId: 'tx-1' });
    const procedures = new Set(seen.map((d) => d.procedure));
    assert.ok(procedures.has('IMDN-TX') && procedures.has('IMDN-RX'), `decisions: ${seen.map((d) => d.branch).join(', ')}`);
  }));
