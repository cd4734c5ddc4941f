// The design card's SIP stack with no PF in it (issue 17): the embedded edge on its own thread,
// srf over the in-process link (as `npm start` runs them, D-292, D-297), and an app that sends
// each MESSAGE on to BENCH_RELAY_NEXT (host:port) and answers with the final status that comes
// back (with BENCH_RELAY_REPEATS=answer, a repeated notification is answered here instead). No
// trust, no engine, no decision log, no recording, no capture, no metrics. What the PF
// costs above this is its own; what this costs above bench/node-relay.mjs is the stack's
// (docs/BENCHMARKS.md). Not part of the product. Configured like the PF (SIP_PORT, SIP_TRANSPORTS);
// prints `BENCH_READY {"sipPort":…}` when it answers; stops on SIGTERM.
import { loadConfig } from '../server/config';
import { BYTE_STRINGS_TAG } from '../server/edge/control-server';
import { startEdgeThread } from '../server/edge/edge-thread';
import { connectSrf } from '../server/pf';
import { startLagMeter } from '../server/sip/trust/headroom';

async function main(): Promise<void> {
  const next = process.env.BENCH_RELAY_NEXT;
  if (!next) throw new Error('BENCH_RELAY_NEXT (host:port) is not set');
  const config = loadConfig();
  // the edge's overload control reads the main thread's lag from here, as in the PF (D-285)
  const lagShared = new Int32Array(new SharedArrayBuffer(4));
  const lag = startLagMeter(undefined, undefined, lagShared);
  const edge = await startEdgeThread({
    sip: { host: config.sip.host, port: config.sip.port, transports: config.sip.transports, tcp: config.sip.tcp },
    control: config.edgeControl,
    overload: { ...config.overload, retryAfterSec: 1 },
    lag: lagShared.buffer as SharedArrayBuffer,
    captureMaxBytes: 0,
    onWire: () => {},
    warn: (line) => process.stderr.write(`edge: ${line}\n`),
    link: true,
  });
  const control = { host: edge.controlAddress.host, port: edge.controlAddress.port, secret: config.edgeControl.secret, tags: [BYTE_STRINGS_TAG] };
  const srf = await connectSrf(control, edge.link?.());
  // BENCH_RELAY_REPEATS=answer: a MESSAGE whose IMDN message-id was seen before is answered 200
  // here and not sent on, as the PF answers a duplicate notification: the PF's traffic mix (half
  // the bench's MESSAGEs are repeats) with no decision made beyond that
  const answerRepeats = process.env.BENCH_RELAY_REPEATS === 'answer';
  const seen = new Set<string>();
  srf.message((req, res) => {
    if (answerRepeats) {
      const id = /<message-id>([^<]*)</.exec(req.body)?.[1];
      if (id !== undefined && seen.has(id)) return res.send(200);
      if (id !== undefined) {
        if (seen.size >= 100_000) seen.clear();
        seen.add(id);
      }
    }
    const user = /^sip:([^@;>]+)@/.exec(req.uri)?.[1] ?? 'anyone';
    const headers: Record<string, string> = { From: req.get('From') ?? '', To: req.get('To') ?? '', 'Content-Type': req.get('Content-Type') ?? 'text/plain' };
    srf.request(`sip:${user}@${next}`, { method: 'MESSAGE', headers, body: req.body }, (err, out) => {
      if (err) return res.send(503);
      out.on('response', (r: { status: number }) => {
        if (r.status >= 200) res.send(r.status);
      });
    });
  });
  process.stdout.write(`BENCH_READY ${JSON.stringify({ sipPort: edge.sipAddress.port })}\n`);
  process.on('SIGTERM', () => {
    srf.disconnect();
    lag.stop();
    void edge.close().then(() => process.exit(0));
  });
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
