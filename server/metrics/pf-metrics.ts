// The PF's Prometheus metrics (issue 19), in a registry of its own: SIP requests and responses as
// they crossed the edge, engine decisions, the deferred queue, sessions and legs, the event loop's
// lag and every database query's duration, beside prom-client's process metrics. Counters move
// where the fact happens; gauges are read when Prometheus scrapes (D-221).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WireMessage } from '../capture/wire';
import type { OperationalCounts } from '../store/operational-counts';
import { OVERLOAD_REASONS } from '../sip/trust/overload';
import { sipLabels } from './sip-labels';
import { tallyCounter } from './tally';
import { TALLY_SEP, type WireTally } from '../edge/wire-tally';

export interface MetricSources {
  /** sessions, legs and the deferred queue (database counts) */
  counts(): Promise<OperationalCounts>;
  /** the event loop's lag as the overload control measures it (ms) */
  lagMs(): number;
  /**
   * the overload control's queue (requests handed to the PF, not answered yet), those of them that
   * wait on a next hop (D-345), and its refusals by reason (D-332)
   */
  overload(): { pending: number; waiting: number; refused: Record<string, number> };
  registrations(): number;
  /** HEP packets sent and dropped, when HEP_URL is set */
  hep(): { sent: number; dropped: number } | undefined;
  /** brings what other threads counted up to now before a scrape (the edge's own thread, D-285) */
  refresh?(): Promise<void> | undefined;
}

export interface PfMetrics {
  registry: Registry;
  /** counts a SIP message that crossed the edge */
  wire(m: WireMessage): void;
  /** what the edge's own thread counted of the messages that crossed it (D-285) */
  wireTally(tally: WireTally): void;
  decision(d: { procedure: string; outcome: string }): void;
  /** one database query took this long */
  dbQuery(ms: number): void;
  /** the exposition text (Prometheus text format 0.0.4) */
  exposition(): Promise<string>;
  contentType: string;
}

// seconds: from a cached SQLite read (~0.1 ms) to a PostgreSQL write under load
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createPfMetrics(sources: MetricSources): PfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // counted per message and per decision: tallied, added to prom-client's counters at each scrape
  const requests = tallyCounter({
    name: 'pf_sip_requests_total',
    help: 'SIP requests that crossed the SIP edge (in: received, out: sent), retransmissions included',
    labelNames: ['direction', 'method'] as const,
    registers: [registry],
  });
  const responses = tallyCounter({
    name: 'pf_sip_responses_total',
    help: 'SIP responses that crossed the SIP edge, by the method they answer and their status code',
    labelNames: ['direction', 'method', 'code'] as const,
    registers: [registry],
  });
  const decisions = tallyCounter({
    name: 'pf_decisions_total',
    help: 'engine decisions by procedure and outcome',
    labelNames: ['procedure', 'outcome'] as const,
    registers: [registry],
  });
  const dbQueries = new Histogram({
    name: 'pf_db_query_duration_seconds',
    help: 'duration of each database query the PF made',
    buckets: DB_BUCKETS,
    registers: [registry],
  });

  // One database read per scrape serves the three gauges below (prom-client collects them together).
  let reading: Promise<OperationalCounts | undefined> | undefined;
  const read = () => {
    reading ??= sources.counts().then((c) => c, () => undefined).finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  new Gauge({
    name: 'pf_database_up',
    help: '1 when the counts below could be read from the database at this scrape, else 0',
    registers: [registry],
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pf_deferred_queue_depth',
    help: 'deferred items waiting for a client (neither delivered nor expired), all instances',
    registers: [registry],
    async collect() {
      const c = await read();
      if (c) this.set(c.deferredPending);
    },
  });
  new Gauge({
    name: 'pf_sessions',
    help: 'sessions of this instance that are not released, by mode',
    labelNames: ['mode'] as const,
    registers: [registry],
    async collect() {
      const c = await read();
      if (!c) return;
      this.reset();
      for (const mode of ['ACTIVE', 'REMAIN_DISCONNECTED']) this.set({ mode }, c.sessionsByMode[mode] ?? 0);
      for (const [mode, n] of Object.entries(c.sessionsByMode)) this.set({ mode }, n);
    },
  });
  new Gauge({
    name: 'pf_legs',
    help: 'legs of this instance\'s sessions that are not terminated, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const c = await read();
      if (!c) return;
      this.reset();
      for (const state of ['CONNECTED', 'TERMINATING']) this.set({ state }, c.legsByState[state] ?? 0);
      for (const [state, n] of Object.entries(c.legsByState)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'pf_event_loop_lag_seconds',
    help: 'largest event-loop delay in the last 100 ms window (what the overload control compares with PF_OVERLOAD_MAX_LAG_MS)',
    registers: [registry],
    collect() {
      this.set(sources.lagMs() / 1000);
    },
  });
  new Gauge({
    name: 'pf_overload_pending',
    help: 'requests handed to the PF that it has not answered yet, less those waiting on a next hop (pf_overload_waiting): the queue the overload control compares with PF_OVERLOAD_MAX_PENDING',
    registers: [registry],
    collect() {
      this.set(sources.overload().pending);
    },
  });
  new Gauge({
    name: 'pf_overload_waiting',
    help: 'requests the PF has not answered that wait on a request it sent for them (a forwarded MESSAGE on its contact, D-345): compared with PF_OVERLOAD_MAX_WAITING',
    registers: [registry],
    collect() {
      this.set(sources.overload().waiting);
    },
  });
  new Counter({
    name: 'pf_overload_refused_total',
    help: 'new requests answered 503 by the overload control, by what was over its limit (pending: PF_OVERLOAD_MAX_PENDING, waiting: PF_OVERLOAD_MAX_WAITING, lag: PF_OVERLOAD_MAX_LAG_MS)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      const refused = sources.overload().refused;
      this.reset();
      // every reason always present: a rate() over a series that appears only at the first refusal misses it
      for (const reason of OVERLOAD_REASONS) this.inc({ reason }, refused[reason] ?? 0);
    },
  });
  new Gauge({
    name: 'pf_registrations',
    help: 'client registrations (bindings) in force',
    registers: [registry],
    collect() {
      this.set(sources.registrations());
    },
  });

  new Counter({
    name: 'pf_hep_packets_total',
    help: 'HEP packets sent to the Homer collector (HEP_URL) and dropped (collector down or slow, message too large)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const c = sources.hep();
      if (!c) return;
      this.reset();
      this.inc({ result: 'sent' }, c.sent);
      this.inc({ result: 'dropped' }, c.dropped);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    wire(m) {
      const labels = sipLabels(m.head);
      if (!labels) return;
      if (labels.kind === 'request') requests.add(m.direction, labels.method);
      else responses.add(m.direction, labels.method, labels.code);
    },
    wireTally(tally) {
      for (const [key, n] of tally) {
        const [kind, ...labels] = key.split(TALLY_SEP);
        (kind === 'request' ? requests : responses).addMany(n, labels);
      }
    },
    decision(d) {
      decisions.add(d.procedure, d.outcome);
    },
    dbQuery(ms) {
      dbQueries.observe(ms / 1000);
    },
    async exposition() {
      await sources.refresh?.()?.catch(() => undefined);
      return registry.metrics();
    },
  };
}
