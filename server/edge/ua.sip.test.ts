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
