// PF_TRUST=peers for MESSAGE (issue 18, D-134): a MESSAGE from a source that is neither a
// registered client of a served user nor a configured peer is answered 403 before any handler
// runs, and each refusal is a decision in the log (the console shows who was turned away and why).
// INVITEs make the same check in the session handler; with PF_TRUST=open this gate passes all.
// The shell classifies the source; the engine decides and explains (engine/trust/unknown-source.ts).
import { directEngine, type EngineCalls } from '../engine-calls';
import { aorOf } from '../addresses';
import type { DecisionSink } from '../record-decisions';
import type { Handler } from '../srf-types';
import type { SourceClass, Topology } from '../topology';

export interface UnknownSourceOptions {
  trust: 'open' | 'peers';
  /** the topology the session handlers loaded (peers, registered clients); read per request */
  topology: () => Topology | undefined;
  /** re-reads the peers (console edits), at most every reloadMs, only before a refusal */
  reload: (t: Topology) => Promise<void>;
  record: DecisionSink;
  isServed: (aor: string) => boolean;
  now: () => number;
  reloadMs?: number;
  /** how the refusal is decided (the PF's recorded seam); the plain engine when absent */
  engine?: EngineCalls;
}

export function unknownSourceGate(opts: UnknownSourceOptions): Handler & { refused: number } {
  let lastReload = 0;
  const counters = { refused: 0 };
  const classify = (t: Topology, req: Parameters<Handler>[0]): SourceClass =>
    t.classifySource({ host: req.source_address, port: req.source_port, from: req.get('From'), contact: req.get('Contact'), now: opts.now() });

  const gate = ((req, res, next) => {
    if (opts.trust !== 'peers' || req.method !== 'MESSAGE') return next();
    const topology = opts.topology();
    if (!topology) return next();
    if (topology.admits(classify(topology, req))) return next();
    void (async () => {
      const now = opts.now();
      if (now - lastReload >= (opts.reloadMs ?? 5000)) {
        lastReload = now;
        await opts.reload(topology).catch(() => undefined);
        if (topology.admits(classify(topology, req))) return next();
      }
      const target = aorOf(req.uri);
      const verdict = (opts.engine ?? directEngine).call('trustMessage', {
        trust: 'peers',
        admitted: false,
        source: `${req.protocol}/${req.source_address}:${req.source_port}`,
        from: req.get('From'),
        requestUri: req.uri,
        servedUser: target && opts.isServed(target) ? target : undefined,
        callId: req.get('Call-ID'),
      });
      counters.refused++;
      gate.refused = counters.refused;
      opts.record(verdict.decisions, { callId: req.get('Call-ID'), now });
      if (verdict.reject && !res.finished) res.send(verdict.reject.code, verdict.reject.reason);
    })();
  }) as Handler & { refused: number };
  gate.refused = 0;
  return gate;
}
