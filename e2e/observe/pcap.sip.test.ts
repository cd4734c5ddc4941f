// "Download pcap" (issue 19): the messages the edge captured for a call, written as a pcap file,
// are read by Wireshark's tshark as SIP: every method, status and Call-ID, over UDP and over TCP.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writePcap } from '../../server/capture/pcap';
import { startTestPf } from '../support/test-pf';
import { tsharkSip } from '../support/tshark';
import { wirePeer } from '../support/wire-peer';

/** Sends one MESSAGE over a new TCP connection and resolves with the final response's status. */
function tcpMessage(pfPort: number, callId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: pfPort });
    const body = 'over tcp';
    s.once('connect', () => {
      const port = s.localPort;
      s.write([
        'MESSAGE sip:alice@example.com SIP/2.0', `Via: SIP/2.0/TCP 127.0.0.1:${port};branch=z9hG4bKtcp${Date.now()}`,
        'From: <sip:dave@remote.example.net>;tag=tcp1', 'To: <sip:alice@example.com>', `Call-ID: ${callId}`, 'CSeq: 1 MESSAGE', 'Max-Forwards: 70',
        // from outside the PF's users: the CPM standalone-message service is named (DSP)
        'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"', 'Content-Type: text/plain', `Content-Length: ${body.length}`, '', body,
      ].join('\r\n'));
    });
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      const m = /SIP\/2\.0 ([2-6]\d\d)/.exec(got);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
  });
}

// the capture ring on the main thread's edge, and on the edge's own thread (D-285)
for (const edgeThread of ['off', 'on'] as const) test(`issue 19 pcap (edge thread ${edgeThread}): tshark reads the captured SIP of a call (UDP and TCP) with its methods, statuses and Call-IDs`, async () => {
  const pf = await startTestPf({ PF_EDGE_THREAD: edgeThread });
  assert.equal(pf.edge?.threaded, edgeThread === 'on');
  const alice = await wirePeer('alice');
  const bob = await wirePeer('bob');
  try {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port), 200);
    assert.equal(await bob.register(port), 200);
    const udp = await bob.request(port, { method: 'MESSAGE', uri: 'sip:alice@example.com', headers: ['Content-Type: text/plain'], body: 'over udp' });
    assert.equal(udp.status, 200);
    const tcpCallId = `tcp-${Date.now()}@pcap-test`;
    assert.equal(await tcpMessage(port, tcpCallId), 200);

    const messages = await pf.capture!.of([udp.callId, tcpCallId]);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-pcap-')), 'call.pcap');
    writeFileSync(file, writePcap(messages));
    const rows = tsharkSip(file);
    // every captured message is SIP to Wireshark, in the order it crossed the edge
    assert.equal(rows.length, messages.length, JSON.stringify(rows));
    const ofCall = (id: string) => rows.filter((r) => r.callId === id).map((r) => `${r.transport} ${r.method} ${r.status}`.trim());
    // bob → PF and the PF's 200 → bob (the PF forwards to alice with a Call-ID of its own; a
    // retransmission, if any, repeats a line)
    assert.deepEqual([...new Set(ofCall(udp.callId))], ['udp MESSAGE', 'udp MESSAGE 200']);
    assert.ok(ofCall(tcpCallId).includes('tcp MESSAGE') && ofCall(tcpCallId).includes('tcp MESSAGE 200'), JSON.stringify(ofCall(tcpCallId)));
  } finally {
    await alice.close();
    await bob.close();
    await pf.stop();
  }
});

// The session-real spec once failed because tshark read a leg between ports 27951 and 29219 as
// Quake 3, the protocol registered on 27950–27965: random free ports can fall on any game's or
// service's registered port, and the reading must still be SIP.
test('issue 19 pcap: tshark reads SIP between ports that another protocol registers (Quake 3, 27951) as SIP, over UDP and TCP', () => {
  const sip = (proto: 'udp' | 'tcp', callId: string, first: string) => ({
    proto,
    src: { host: '127.0.0.1', port: 27951 },
    dst: { host: '127.0.0.1', port: 29219 },
    atUs: 1_700_000_000_000_000,
    bytes: Buffer.from(
      [first, 'Via: SIP/2.0/UDP 127.0.0.1:27951;branch=z9hG4bKq3', 'From: <sip:bob@example.com>;tag=1', 'To: <sip:alice@example.com>', `Call-ID: ${callId}`, 'CSeq: 1 MESSAGE', 'Content-Length: 0', '', ''].join('\r\n'),
    ),
  });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-pcap-')), 'quake.pcap');
  writeFileSync(file, writePcap([sip('udp', 'q3-udp', 'MESSAGE sip:alice@example.com SIP/2.0'), sip('tcp', 'q3-tcp', 'MESSAGE sip:alice@example.com SIP/2.0')]));
  assert.deepEqual(
    tsharkSip(file).map((r) => `${r.transport} ${r.method} ${r.callId}`),
    ['udp MESSAGE q3-udp', 'tcp MESSAGE q3-tcp'],
  );
});
