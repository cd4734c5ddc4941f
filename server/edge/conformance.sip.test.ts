// Conformance suite: unchanged drachtio-srf apps + SIPp scenarios against the embedded edge,
// the way drachtio-server tests itself. Each scenario runs over UDP and over TCP, 0 failed calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, type Edge } from './index';
import { connectSrf, freePort, scenario, sipp, waitFor, waitForListener, type SrfApp } from './conformance/harness';

const SECRET = 'cymru';
const CALLS = 10;
const SDP = 'v=0\r\no=edge 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

type Tp = 'udp' | 'tcp';
const sippT = (tp: Tp) => (tp === 'udp' ? 'u1' : 't1');
const uriParam = (tp: Tp) => (tp === 'tcp' ? ';transport=tcp' : '');

async function scene(tp: Tp, setup: (srf: SrfApp, ctx: { uasPort: number }) => void,
  run: (edge: Edge, srf: SrfApp, ctx: { uasPort: number }) => Promise<void>): Promise<void> {
  const edge = await startEdge({
    sip: { host: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] },
    control: { host: '127.0.0.1', port: 0, secret: SECRET },
    timers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 },
  });
  const ctx = { uasPort: await freePort() };
  const srf = await connectSrf(edge.controlAddress, SECRET, (s) => setup(s, ctx));
  try {
    await run(edge, srf, ctx);
    assert.ok(await waitFor(() => edge.stats().dialogs === 0, 3000), `dialogs left: ${edge.stats().dialogs}`);
  } finally {
    srf.disconnect();
    await edge.close();
  }
}

async function runUac(tp: Tp, file: string, edge: Edge, calls = CALLS, extra: string[] = []): Promise<void> {
  const port = await freePort();
  const r = await sipp(['-sf', scenario(file), '-s', 'svc', '-i', '127.0.0.1', '-p', String(port), '-t', sippT(tp),
    '-m', String(calls), '-r', '20', '-l', '5', ...extra, `127.0.0.1:${edge.sipAddress.port}`], 25000).done;
  assert.equal(r.code, 0, `sipp ${file} failed (${r.code}): ${r.stderr.slice(-3000)}\n${r.stdout.slice(-1500)}`);
}

function startUas(tp: Tp, file: string, port: number, calls = CALLS) {
  return sipp(['-sf', scenario(file), '-i', '127.0.0.1', '-p', String(port), '-t', sippT(tp), '-m', String(calls)], 25000);
}

async function uasDone(run: ReturnType<typeof sipp>, file: string): Promise<void> {
  const r = await run.done;
  assert.equal(r.code, 0, `sipp uas ${file} failed (${r.code}): ${r.stderr.slice(-3000)}\n${r.stdout.slice(-1500)}`);
}

for (const tp of ['udp', 'tcp'] as Tp[]) {
  test(`conformance ${tp}: createUAS, caller hangs up`, async () => {
    let destroyed = 0;
    await scene(tp, (srf) => srf.invite(async (req, res) => {
      const d = await srf.createUAS(req, res, { localSdp: SDP });
      assert.match(d.id, /;from-tag=/);
      d.on('destroy', () => destroyed++);
    }), async (edge) => {
      await runUac(tp, 'uac-invite.xml', edge);
      assert.ok(await waitFor(() => destroyed === CALLS, 2000), `destroyed=${destroyed}`);
    });
  });

  test(`conformance ${tp}: createUAS + dialog.request (INFO) + dialog.destroy`, async () => {
    let infoOk = 0;
    await scene(tp, (srf) => srf.invite(async (req, res) => {
      const d = await srf.createUAS(req, res, { localSdp: SDP });
      await new Promise((r) => setTimeout(r, 50));
      const r = await d.request({ method: 'INFO', headers: { 'Content-Type': 'text/plain' }, body: 'dialog-request' });
      if (r.status === 200) infoOk++;
      await d.destroy();
    }), async (edge) => {
      await runUac(tp, 'uac-invite-remote-bye.xml', edge);
      assert.equal(infoOk, CALLS);
    });
  });

  test(`conformance ${tp}: createUAC to a SIPp UAS, then destroy`, async () => {
    await scene(tp, () => {}, async (edge, srf, ctx) => {
      const uas = startUas(tp, 'uas-invite.xml', ctx.uasPort);
      assert.ok(await waitForListener(ctx.uasPort, tp), 'SIPp UAS is listening');
      for (let i = 0; i < CALLS; i++) {
        const d = await srf.createUAC(`sip:uas@127.0.0.1:${ctx.uasPort}${uriParam(tp)}`, { localSdp: SDP });
        assert.match(d.remote.sdp, /m=audio/);
        assert.equal(edge.stats().dialogs, 1);
        await d.destroy();
      }
      await uasDone(uas, 'uas-invite.xml');
    });
  });

  test(`conformance ${tp}: createB2BUA between SIPp UAC and SIPp UAS`, async () => {
    await scene(tp, (srf, ctx) => srf.invite(async (req, res) => {
      const { uas, uac } = await srf.createB2BUA(req, res, `sip:uas@127.0.0.1:${ctx.uasPort}${uriParam(tp)}`, { localSdpB: req.body });
      uas.on('destroy', () => uac.destroy());
      uac.on('destroy', () => uas.destroy());
    }), async (edge, _srf, ctx) => {
      const uas = startUas(tp, 'uas-invite.xml', ctx.uasPort);
      assert.ok(await waitForListener(ctx.uasPort, tp), 'SIPp UAS is listening');
      await runUac(tp, 'uac-invite.xml', edge);
      await uasDone(uas, 'uas-invite.xml');
    });
  });

  test(`conformance ${tp}: CANCEL from the network is answered 200 + 487 and reaches the app`, async () => {
    let cancels = 0;
    await scene(tp, (srf) => srf.invite((req, res) => {
      res.send(180);
      req.on('cancel', () => cancels++);
    }), async (edge) => {
      await runUac(tp, 'uac-cancel.xml', edge);
      assert.ok(await waitFor(() => cancels === CALLS, 2000), `cancels=${cancels}`);
    });
  });

  test(`conformance ${tp}: app CANCELs its own INVITE (createUAC cbRequest + req.cancel)`, async () => {
    await scene(tp, () => {}, async (_edge, srf, ctx) => {
      const uas = startUas(tp, 'uas-cancel.xml', ctx.uasPort);
      assert.ok(await waitForListener(ctx.uasPort, tp), 'SIPp UAS is listening');
      for (let i = 0; i < CALLS; i++) {
        let inv: any;
        const err = await srf.createUAC(`sip:uas@127.0.0.1:${ctx.uasPort}${uriParam(tp)}`, { localSdp: SDP }, {
          cbRequest: (_e: unknown, req: unknown) => { inv = req; },
          cbProvisional: (res: { status: number }) => { if (res.status === 180) inv.cancel(); },
        }).then(() => undefined, (e: { status?: number }) => e);
        assert.equal(err?.status, 487);
      }
      await uasDone(uas, 'uas-cancel.xml');
    });
  });

  test(`conformance ${tp}: SUBSCRIBE/NOTIFY, a terminated NOTIFY ends the subscription dialog`, async () => {
    let notified = 0;
    await scene(tp, (srf) => srf.subscribe(async (req, res) => {
      const d = await srf.createUAS(req, res, { headers: { Expires: req.get('Expires') } });
      const r = await d.request({ method: 'NOTIFY', headers: { 'Subscription-State': 'active;expires=60', Event: 'conference' } });
      if (r.status === 200) notified++;
      await d.destroy();
    }), async (edge) => {
      await runUac(tp, 'uac-subscribe.xml', edge);
      assert.equal(notified, CALLS);
    });
  });
}
