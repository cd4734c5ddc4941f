// Lossy runs: SIPp drops 20 % of the messages it sends and receives; the edge's transaction
// layer must still complete every call, then drain to 0 transactions and 0 dialogs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, type Edge } from './index';
import { connectSrf, freePort, scenario, sipp, waitFor } from './conformance/harness';

const SECRET = 'cymru';
const SDP = 'v=0\r\no=edge 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

async function lossyRun(file: string, calls: number, rate: number, setup: Parameters<typeof connectSrf>[2]): Promise<{ edge: Edge; stdout: string }> {
  const edge = await startEdge({
    sip: { host: '127.0.0.1', port: 0, transports: ['udp'] },
    control: { host: '127.0.0.1', port: 0, secret: SECRET },
    timers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 },
  });
  const srf = await connectSrf(edge.controlAddress, SECRET, setup);
  try {
    const port = await freePort();
    const r = await sipp(['-sf', scenario(file), '-s', 'svc', '-i', '127.0.0.1', '-p', String(port), '-t', 'u1',
      '-m', String(calls), '-r', String(rate), '-l', '40', '-lost', '20',
      // a retransmission budget of about 9 s: a call that loses 20 % each way needs few tries, but
      // a CI machine running the suite two tests at a time can starve the edge for seconds (one
      // call timed out with 11 tries in a fresh-clone run while benchmarks ran beside it). SIPp
      // 3.6.1 applies -max_retrans (default 7) to a MESSAGE sent with a retrans attribute, not
      // -max_non_invite_retrans: one call in 500 then fails in about one run in eight (0.36^8
      // per call at 20 % each way); it did, after 8 tries, in a fresh-clone run.
      '-T2', '400', '-max_retrans', '21', '-max_invite_retrans', '20', '-max_non_invite_retrans', '21',
      `127.0.0.1:${edge.sipAddress.port}`], 40000).done;
    assert.equal(r.code, 0, `sipp ${file} failed (${r.code}): ${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
    // The longest a transaction can outlive SIPp's last message: a 2xx whose ACK was lost is
    // retransmitted for 64*T1, then the edge sends a BYE (RFC 3261 13.3.1.4) that nobody answers
    // any more, ended by Timer F after another 64*T1: 12.8 s at T1 = 100 ms, plus T4. A 12 s
    // wait left that BYE's client transaction in one fresh-clone CI run.
    const drained = await waitFor(() => { const s = edge.stats(); return s.transactions === 0 && s.dialogs === 0 && s.appTransactions === 0; }, 20000, 100);
    assert.ok(drained, `edge not drained: ${JSON.stringify(edge.stats())}`);
    return { edge, stdout: r.stdout };
  } finally {
    srf.disconnect();
    await edge.close();
  }
}

test('lossy 20%: 200 INVITE/ACK/BYE calls complete, then 0 transactions and 0 dialogs', async () => {
  let answered = 0;
  await lossyRun('uac-invite-lossy.xml', 200, 100, (srf) => srf.invite(async (req, res) => {
    answered++;
    await srf.createUAS(req, res, { localSdp: SDP }).catch(() => undefined);
  }));
  assert.equal(answered, 200, 'each INVITE reached the app exactly once');
});

test('lossy 20%: 500 MESSAGEs complete, then 0 transactions', async () => {
  let seen = 0;
  await lossyRun('uac-message-lossy.xml', 500, 200, (srf) => srf.message((_req, res) => {
    seen++;
    res.send(200, { headers: { 'X-Edge-Echo': 'ok' } });
  }));
  assert.equal(seen, 500, 'each MESSAGE reached the app exactly once');
});
