// The embedded edge's SIP stack on its own, with neither the control protocol nor srf (issue 17):
// server/edge's transport and UA (transactions, the Via, retransmissions answered from the
// transaction) on one thread, and an app that answers a repeated notification 200 itself, as the
// PF answers a duplicate, and sends every other MESSAGE on to BENCH_RELAY_NEXT (host:port),
// answering with the final status that comes back. It prices the other road issue 17's note
// names: a request path for MESSAGE beside srf starts from this and adds the PF's own work
// (D-341). Not part of the product. Configured like the PF (SIP_PORT); prints
// `BENCH_READY {"sipPort":…}` when it answers; stops on SIGTERM.
import { Transport } from '../server/edge/transport';
import { SipUa, type ServerRequest } from '../server/edge/ua';
import { SipMessage } from '../server/edge/sip/message';

/** the headers a relayed MESSAGE keeps from the one received, as the srf relay keeps them */
const KEPT = ['from', 'to', 'content-type'] as const;

async function main(): Promise<void> {
  const next = process.env.BENCH_RELAY_NEXT;
  if (!next) throw new Error('BENCH_RELAY_NEXT (host:port) is not set');
  const [nextHost, nextPort] = next.split(':');
  const transport = new Transport({ host: '127.0.0.1', port: Number(process.env.SIP_PORT ?? 0), transports: ['udp'] });
  await transport.listen();
  const ua = new SipUa({ transport });
  const answerRepeats = process.env.BENCH_RELAY_REPEATS === 'answer';
  const seen = new Set<string>();
  // respondStatus writes the reason phrase
  const answer = (req: ServerRequest, status: number) => ua.respondStatus(req, status);
  ua.handlers.request = (req) => {
    if (req.msg.method !== 'MESSAGE') return void answer(req, 405);
    const body = req.msg.body;
    if (answerRepeats) {
      const id = /<message-id>([^<]*)</.exec(body.toString('latin1'))?.[1];
      if (id !== undefined && seen.has(id)) return void answer(req, 200);
      if (id !== undefined) {
        if (seen.size >= 100_000) seen.clear();
        seen.add(id);
      }
    }
    const user = /^sip:([^@;>]+)@/.exec(req.msg.uri)?.[1] ?? 'anyone';
    const out = SipMessage.request('MESSAGE', `sip:${user}@${next}`);
    for (const k of KEPT) {
      const v = req.msg.get(k);
      if (v !== undefined) out.add(k, v);
    }
    out.body = body;
    const sent = ua.request(
      out,
      {
        onResponse: (res) => {
          if (res.status >= 200) answer(req, res.status);
        },
        onTimeout: () => answer(req, 408),
      },
      { dest: { proto: 'udp', host: nextHost, port: Number(nextPort) } },
    );
    if (!sent) answer(req, 503);
  };
  process.stdout.write(`BENCH_READY ${JSON.stringify({ sipPort: ua.local.port })}\n`);
  process.on('SIGTERM', () => {
    ua.shutdown();
    void transport.close().then(() => process.exit(0));
  });
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
