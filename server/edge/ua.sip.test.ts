// The SIP stack used on its own, without the drachtio control protocol: two SipUa peers talk
// over loopback (this is what scripted demo peers build on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipUa } from './ua';
import { Transport } from './transport';
import { SipMessage } from './sip/message';
import { waitFor } from './conformance/harness';

async function peer(): Promise<SipUa> {
  const transport = new Transport({ host: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] });
  await transport.listen();
  return new SipUa({ transport, timers: { t1: 50, t2: 200, t4: 250 } });
}

for (const tp of ['udp', 'tcp'] as const) {
  test(`ua ${tp}: MESSAGE and an INVITE dialog (ACK, re-INVITE, BYE) between two stack instances`, async () => {
    const a = await peer();
    const b = await peer();
    const bUri = `sip:bob@127.0.0.1:${b.local.port}${tp === 'tcp' ? ';transport=tcp' : ''}`;
    const bGot: string[] = [];
    b.handlers.request = (req) => {
      bGot.push(req.msg.method);
      if (req.msg.method === 'ACK') return;
      const res = SipMessage.response(200, 'OK');
      if (req.msg.method === 'INVITE') { res.add('Content-Type', 'application/sdp'); res.body = Buffer.from('v=0\r\n'); }
      b.respond(req, res);
    };
    try {
      const m = SipMessage.request('MESSAGE', bUri);
      m.add('Content-Type', 'text/plain');
      m.body = Buffer.from('hé', 'utf8');
      const status = await new Promise<number>((resolve) => a.request(m, { onResponse: (r) => { if (r.status >= 200) resolve(r.status); } }));
      assert.equal(status, 200);

      const inv = SipMessage.request('INVITE', bUri);
      const final = await new Promise<SipMessage>((resolve) => a.request(inv, { onResponse: (r) => { if (r.status >= 200) resolve(r); } }));
      assert.equal(final.status, 200);
      const dA = a.dialogForResponse(inv)!;
      assert.ok(dA, 'UAC dialog created');
      assert.equal(b.dialogs.size, 1, 'UAS dialog created');
      a.ack(dA);
      assert.ok(await waitFor(() => bGot.includes('ACK'), 2000));

      const reinvite = await new Promise<number>((resolve) => a.requestInDialog(dA, SipMessage.request('INVITE', 'sip:placeholder'), {
        onResponse: (r) => { if (r.status >= 200) resolve(r.status); },
      }));
      assert.equal(reinvite, 200);
      a.ack(dA);
      assert.ok(await waitFor(() => bGot.filter((x) => x === 'ACK').length === 2, 2000), bGot.join(','));

      const bye = await new Promise<number>((resolve) => a.requestInDialog(dA, SipMessage.request('BYE', 'sip:placeholder'), {
        onResponse: (r) => { if (r.status >= 200) resolve(r.status); },
      }));
      assert.equal(bye, 200);
      assert.equal(a.dialogs.size, 0);
      assert.equal(b.dialogs.size, 0);
      assert.deepEqual(bGot, ['MESSAGE', 'INVITE', 'ACK', 'INVITE', 'ACK', 'BYE']);
      if (tp === 'tcp') assert.ok(a.transport.connectionCount() >= 1, 'TCP connection reused, not reopened per request');
    } finally {
      a.shutdown(); b.shutdown();
      await a.transport.close(); await b.transport.close();
    }
  });
}

// D-326: over UDP a completed server non-INVITE lives 64*T1 only to answer retransmissions. The UA
// keeps it as its final response's bytes and the peer, not as a transaction object with its
// timers and closures (about 3 KB of the edge's heap each, 32,000 of them at 1,000 MESSAGEs/s).
test('Timer J, D-326: a completed UDP server non-INVITE is kept as its final response only: a retransmission gets the same bytes until 64*T1, a request after that is new', async () => {
  const dgram = await import('node:dgram');
  const b = await peer();
  let handled = 0;
  b.handlers.request = (req) => {
    handled++;
    b.respond(req, SipMessage.response(200, 'OK'));
  };
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  const port = sock.address().port;
  const request = Buffer.from([
    `MESSAGE sip:bob@127.0.0.1:${b.local.port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKd326`, 'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>', 'Call-ID: d326@test', 'CSeq: 1 MESSAGE', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  const send = () => sock.send(request, b.local.port, '127.0.0.1');
  try {
    send();
    assert.ok(await waitFor(() => got.length === 1, 2000), 'the 200');
    assert.equal(b.serverTxns.size, 0, 'no transaction object is kept once the final response is sent');
    assert.equal(b.stats().serverTransactions, 1, 'it is still counted as a server transaction');
    send();
    assert.ok(await waitFor(() => got.length === 2, 2000), 'the retransmission is answered');
    assert.deepEqual(got[1], got[0], 'with the same bytes');
    assert.equal(handled, 1, 'the application saw the request once');
    // Timer J is 64*T1 = 3.2 s with T1 = 50 ms
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(b.stats().serverTransactions, 0, 'gone after Timer J');
    send();
    assert.ok(await waitFor(() => handled === 2, 2000), 'after Timer J the same request is a new one');
  } finally {
    sock.close();
    await b.transport.close();
  }
});
