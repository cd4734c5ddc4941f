// The Participating Function without its web console: database, SIP edge (or an external
// drachtio-server), drachtio-srf and the request handlers. server/index.ts adds HTTP on top;
// SIP tests start just this.
import net from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import Srf from 'drachtio-srf';
import type { Config } from './config';
import { startEdge, type EdgeStats } from './edge';
import { startEdgeThread } from './edge/edge-thread';
import type { WireMessage } from './capture/wire';
import { BYTE_STRINGS_TAG } from './edge/control-server';
import { corkSrfSends } from './sip/srf-cork';
import { LiveBus } from './live/bus';
import { logger } from './log';
import { heapBudget } from './memory-budget';
import { coreRouter, type LocalTerminating } from './sip/core-router';
import { STOP_REASON } from './engine/bye/stop';
import { EffectRunner } from './sip/effect-runner';
import { EffectStore } from './sip/effect-store';
import { InFlight } from './sip/in-flight';
import { StorageGuard } from './sip/storage-unavailable';
import { sipTrust } from './sip/trust/sip-trust';
import { sipLogContext } from './sip/log-context';
import { startLagMeter } from './sip/trust/headroom';
import type { OfferedRequest } from './sip/trust/overload';
import { OverloadGate } from './sip/trust/overload-gate';
import { PrefsCache } from './sip/prefs-cache';
import { ImdnService } from './sip/imdn/imdn-service';
import { PagerService } from './sip/pager/pager-service';
import { viewHasImdn } from './sip/imdn/imdn-service';
import { installPfHandlers } from './sip/pf-app';
import { PfState } from './sip/pf-state';
import { decisionSink } from './sip/record-decisions';
import { sessionHandlersOf } from './sip/session/install';
import { unknownSourceGate } from './sip/trust/unknown-source';
import { Registrar } from './sip/registrar';
import type { Handler, RequestSender, SrfApp } from './sip/srf-types';
import { MessageLink } from './sip/message-link';
import { openDatabase, type OpenDatabase } from './store/database';
import { DecisionLog } from './store/decision-log';
import { EngineRecorder } from './store/engine-recording';
import { recordingEngine } from './sip/engine-calls';
import { SqliteWriterThread } from './store/sqlite-writer-thread';
import { PostgresWriterThread } from './store/postgres-writer-thread';
import { sqliteFileOf } from './store/open-client';
import { providerPolicyOfText, storedProviderPolicyText } from './store/provider-policy';
import { expireDeferred } from './store/deferred-queue';
import { startRetention } from './store/retention';
import { closeLeftoverSessions } from './store/sessions';
import { ensureUsers, listUsers } from './store/users';
import { MsrpListener } from './msrp/listener';
import { MsrpCarrier } from './sip/session/msrp-carrier';
import { createPfMetrics, type PfMetrics } from './metrics/pf-metrics';
import { operationalCounts } from './store/operational-counts';
import { HepExporter } from './capture/hep-exporter';
import { CaptureRing } from './capture/capture-ring';
import { Teardown } from './teardown';

/** What the PF and its console read of the embedded edge, on this thread or its own (D-285). */
export interface EmbeddedEdge {
  sipAddress: { host: string; port: number };
  controlAddress: { host: string; port: number };
  stats(): EdgeStats;
  /** on its own thread: `refresh` brings stats() and the metrics' counts of its messages up to now */
  threaded: boolean;
  refresh?(): Promise<void>;
  /** srf's end of the in-process control link (D-297), when PF_EDGE_LINK=in-process */
  link?: () => net.Socket;
  /** the PF's end of the MESSAGE link (D-341), when PF_MESSAGE_LINK=on */
  messageLink?: MessagePort;
  close(): Promise<void>;
}

/** The captured SIP messages of Call-IDs, oldest first (D-223). */
export interface CaptureSource {
  of(callIds: Iterable<string>): WireMessage[] | Promise<WireMessage[]>;
}

export interface Pf {
  config: Config;
  db: OpenDatabase;
  edge?: EmbeddedEdge;
  /** the MSRP listener of the sessions' media plane (D-163) */
  msrp: MsrpListener;
  srf: SrfApp;
  bus: LiveBus;
  decisions: DecisionLog;
  /** the engine-call recording (replay, what-if); absent with PF_RECORD=off */
  recorder?: EngineRecorder;
  registrar: Registrar;
  state: PfState;
  /** where SIP peers reach the PF */
  sipAddress: { host: string; port: number };
  /** Prometheus metrics (served at /metrics by the console's HTTP server) */
  metrics: PfMetrics;
  /** the recent SIP messages as bytes, for a session's pcap (embedded edge only; D-223) */
  capture?: CaptureSource;
  /**
   * Tells the running engine that stored policy changed: a user's preference rules (aor), or the
   * service-provider policy (null). The next request is decided with the new values.
   */
  policyChanged(aor: string | null): Promise<void>;
  /** the console edited the peers: the trust checks and routing use the new table at once */
  topologyChanged(): Promise<void>;
  /** expires queued items past their time now (a timer does it every minute); returns how many */
  expireDeferredNow(): Promise<number>;
  /** resolves once every session change made so far is in the database (sessions are written behind their steps, D-306) */
  sessionsWritten(): Promise<void>;
  stop(): Promise<void>;
}

const log = logger('pf');
/** longest wait for requests in flight at shutdown; under the SIP client's Timer F (32 s) */
const DRAIN_TIMEOUT_MS = 10_000;
/** time for final answers already handed to the edge to leave its sockets */
const ANSWER_FLUSH_MS = 200;
// a peer that does not answer the BYE within this does not hold up the stop
const SHUTDOWN_BYE_WAIT_MS = 2000;
/** Retry-After of an overload 503 (D-150): short, the PF sheds load in windows of 100 ms */
const OVERLOAD_RETRY_AFTER_SEC = 1;
/** how soon a peer or the provider policy edited in another instance's console applies here (D-309, D-316): as the MESSAGE gate's re-read (D-134) */
const SHARED_REFRESH_MS = 5000;

/**
 * srf's connect, over `link` when given (D-297): srf makes its socket with net.connect and takes
 * it from there (drachtio-srf 5.0's wire protocol), so for that one call net.connect hands it the
 * link, which then says it is connected. A srf that no longer asks net.connect connects over TCP
 * as before, and the link is closed.
 */
function startSrfConnect(srf: SrfApp, target: { host: string; port: number; secret: string; tags?: string[] }, link?: net.Socket): void {
  if (!link) return srf.connect(target);
  const real = net.connect;
  let taken = false;
  (net as { connect: unknown }).connect = () => {
    (net as { connect: unknown }).connect = real;
    taken = true;
    setImmediate(() => link.emit('connect'));
    return link;
  };
  try {
    srf.connect(target);
  } finally {
    (net as { connect: unknown }).connect = real;
  }
  if (!taken) {
    log.warn('srf did not take the in-process link to the edge; it connects over the control port (PF_EDGE_LINK=tcp stops this warning)');
    link.destroy();
  }
}

/** A srf connected to the edge or drachtio-server at `target` (over `link` when given); also the bench's srf relay's (bench/srf-relay-process.ts). */
export function connectSrf(target: { host: string; port: number; secret: string; tags?: string[] }, link?: net.Socket): Promise<SrfApp> {
  const srf = new (Srf as unknown as new () => SrfApp)();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from drachtio at ${target.host}:${target.port} within 10 s`)), 10_000);
    srf.on('connect', (err, hostport) => {
      if (err) return reject(err);
      clearTimeout(timer);
      log.info(`srf connected to drachtio at ${target.host}:${target.port} (SIP on ${hostport})`);
      resolve(srf);
    });
    srf.on('error', (err) => log.warn(`srf: ${err?.message ?? 'connection error'}`));
    startSrfConnect(srf, target, link);
  });
}

export async function startPf(config: Config): Promise<Pf> {
  const db = await openDatabase(config.databaseUrl);
  const running = new Teardown();
  running.add('the database', () => db.close());
  try {
    return await startWith(config, db, running);
  } catch (e) {
    // A start that fails (a taken SIP or MSRP port, no drachtio-server, a database that refuses
    // something) leaves nothing running: the edge, srf, the writer thread and the lag meter would
    // keep the process alive (D-299, D-329).
    await running.run((what, err) => log.warn(`after the failed start, ${what} did not close: ${(err as Error)?.message ?? err}`));
    throw e;
  }
}

/** The PF on an open database; each part it starts is added to `running`, which stop() runs. */
async function startWith(config: Config, db: OpenDatabase, running: Teardown): Promise<Pf> {
  const now = () => Date.now();
  // the metrics' sources are read at scrape time only, when everything below exists; this one is
  // set once it is known where the overload verdicts are applied (the edge or the trust middleware)
  let overloadNow: () => { pending: number; waiting: number; refused: Record<string, number> } = () => ({ pending: 0, waiting: 0, refused: {} });
  const metrics = createPfMetrics({
    counts: () => operationalCounts(db.store, config.instance),
    lagMs: () => lag.lagMs(),
    overload: () => overloadNow(),
    registrations: () => registrar.count(now()),
    hep: () => hepCounts?.(),
    refresh: () => edge?.refresh?.(),
  });
  db.onQuery((ms) => metrics.dbQuery(ms));
  if (db.applied.length) log.info(`applied migrations: ${db.applied.join(', ')}`);
  await ensureUsers(db.store, config.seedUsers.map((u) => ({ aor: `sip:${u}@${config.domain}`, displayName: u[0].toUpperCase() + u.slice(1) })));
  const users = new Map((await listUsers(db.store)).map((u) => [u.aor, u.id]));
  // Dialogs live in memory: what this instance held before a restart cannot go on (DECISIONS D-108).
  const closed = await closeLeftoverSessions(db.store, config.instance, new Date(now()));
  if (closed) log.info(`closed ${closed} session(s) left open by the previous run of ${config.instance}`);

  const bus = new LiveBus();
  bus.on('decision', (d) => metrics.decision(d));
  // The decision INSERTs run on a worker thread with a connection of its own: on SQLite with
  // sessions' rows and the recording's batches (D-250, D-310, D-312), on PostgreSQL alone (D-337).
  const sqliteFile = db.provider === 'sqlite' ? sqliteFileOf(config.databaseUrl) : undefined;
  const writer = sqliteFile && sqliteFile !== ':memory:' ? new SqliteWriterThread(sqliteFile) : undefined;
  const pgWriter = db.provider === 'postgresql' ? new PostgresWriterThread(config.databaseUrl) : undefined;
  // a thread carries the recorder's, the decision log's and the session rows' last writes: it closes after them (D-325)
  if (writer) running.add('the SQLite writer thread', () => writer.close());
  if (pgWriter) running.add('the PostgreSQL decision writer thread', () => pgWriter.close());
  const decisions = new DecisionLog(db.store, (aor) => users.get(aor), { instance: config.instance, now, writer: writer ?? pgWriter });
  running.add('the decision log', () => decisions.close());
  await decisions.init();
  const registrar = new Registrar(db.store, (aor) => users.get(aor), (aor, bindings) => bus.emit('registration:changed', { aor, contacts: bindings.length }));
  await registrar.load(now());
  // The service-provider policy as operators set it (SPEC §2 defaults for anything not set).
  let policyText = await storedProviderPolicyText(db.store);
  const state = new PfState(await providerPolicyOfText(policyText), { messageIndexMax: config.messageIndexMax, imdnCacheMax: config.imdnCacheMax, now });
  const heap = heapBudget(getHeapStatistics().heap_size_limit, config);
  if (heap.short) log.warn(heap.line);
  else log.info(heap.line);
  /**
   * The policy again when its stored text changed (D-316): saved through this PF's console
   * (policyChanged), or through another instance's, found by the periodic re-read. Unchanged text
   * leaves the policy in force as it is.
   */
  const reloadPolicy = async (why: string): Promise<void> => {
    const text = await storedProviderPolicyText(db.store);
    if (text === policyText) return;
    policyText = text;
    state.policy = await providerPolicyOfText(text);
    log.info(`provider policy reloaded (${why})`);
  };
  // Replay and what-if: every engine call's inputs are recorded (PF_RECORD=off stops it).
  const recorder = config.record.enabled ? new EngineRecorder(db.store, { thread: writer, onError: (e, n) => log.error(`engine recording: ${n} calls not written: ${(e as Error)?.message ?? e}`) }) : undefined;
  if (recorder) running.add('the engine recording', () => recorder.close());
  if (recorder) state.engine = recordingEngine(recorder, now, (e, p) => log.warn(`engine recording: a ${p} call was not recorded: ${(e as Error)?.message ?? e}`));

  // Overload control (D-150): the verdict is pure; here it gets the measured headroom. The lag is
  // also published for the edge's own thread, which admits requests by this thread's lag (D-285).
  const lagShared = new Int32Array(new SharedArrayBuffer(4));
  const lag = startLagMeter(undefined, undefined, lagShared);
  running.add('the lag meter', () => lag.stop());
  const overloadLimits = { ...config.overload, retryAfterSec: OVERLOAD_RETRY_AFTER_SEC };
  const gate = new OverloadGate(overloadLimits);
  const admit = (req: OfferedRequest & { pending: number; waiting: number }) => {
    const v = gate.verdict(req, { lagMs: lag.lagMs(), pending: req.pending, waiting: req.waiting });
    return v.admit ? undefined : { status: v.status, reason: 'Service Unavailable', headers: { 'Retry-After': String(v.retryAfterSec) }, tally: v.reason };
  };
  let edge: EmbeddedEdge | undefined;
  let hepCounts: (() => { sent: number; dropped: number } | undefined) | undefined;
  let capture: CaptureSource | undefined;
  let control: { host: string; port: number; secret: string; tags?: string[] } | undefined = config.drachtio;
  // The sessions' media plane: one MSRP listener beside the edge (D-161, D-163).
  const msrpLog = logger('msrp');
  const carrier = new MsrpCarrier(msrpLog);
  if (!control) {
    const sip = { host: config.sip.host, port: config.sip.port, transports: config.sip.transports, tcp: config.sip.tcp };
    const hepTarget = config.observe.hepUrl ? { target: config.observe.hepUrl, captureId: config.observe.hepCaptureId, nodeName: config.instance } : undefined;
    if (config.sip.edgeThread) {
      const threaded = await startEdgeThread({
        sip,
        control: config.edgeControl,
        overload: overloadLimits,
        lag: lagShared.buffer as SharedArrayBuffer,
        captureMaxBytes: config.observe.captureMaxBytes,
        hep: hepTarget,
        onWire: (tally) => metrics.wireTally(tally),
        warn: (line) => log.warn(`edge: ${line}`),
        link: config.sip.edgeLink === 'in-process',
        messageLink: config.sip.messageLink,
      });
      edge = { ...threaded, threaded: true };
      running.add('the SIP edge', () => threaded.close());
      capture = threaded.capture;
      hepCounts = threaded.hepCounts;
    } else {
      const local = await startEdge({ sip, control: config.edgeControl, admit, warn: (line) => log.warn(`edge: ${line}`) });
      edge = { sipAddress: local.sipAddress, controlAddress: local.controlAddress, stats: () => local.stats(), threaded: false, link: () => local.link(), ...(config.sip.messageLink ? { messageLink: local.messageLink() } : {}), close: () => local.close() };
      running.add('the SIP edge', () => local.close());
      local.tap((m) => metrics.wire(m));
      if (config.observe.captureMaxBytes > 0) {
        const ring = new CaptureRing(config.observe.captureMaxBytes);
        local.tap(ring.tap);
        capture = ring;
      }
      if (hepTarget) {
        const hep = new HepExporter({ ...hepTarget, warn: (line) => log.warn(line) });
        local.tap(hep.tap);
        hepCounts = () => hep.counts;
        running.add('the HEP export', () => hep.close());
      }
    }
    // Bodies are bytes: the embedded edge hands srf one character per byte (D-112).
    control = { host: edge.controlAddress.host, port: edge.controlAddress.port, secret: config.edgeControl.secret, tags: [BYTE_STRINGS_TAG] };
    if (hepTarget) {
      const { proto, host, port } = hepTarget.target;
      log.info(`HEP capture of every SIP message to ${proto}://${host}:${port} (capture id ${config.observe.hepCaptureId})`);
    }
    log.info(`embedded SIP edge on ${edge.sipAddress.host}:${edge.sipAddress.port} (${config.sip.transports.join(', ')})${edge.threaded ? ', on its own thread' : ''}`);
  }
  if (config.observe.hepUrl && !edge) log.warn('HEP_URL is set but SIP goes through an external drachtio-server: capture there (drachtio-server has its own HEP export)');
  const srf = await connectSrf(control, edge && config.sip.edgeLink === 'in-process' ? edge.link?.() : undefined);
  running.add('srf', () => srf.disconnect());
  // MESSAGEs outside a dialog, both ways, without the control protocol and srf (D-341)
  const messageLink = edge?.messageLink ? new MessageLink(edge.messageLink, srf, logger('sip')) : undefined;
  if (messageLink) running.add('the MESSAGE link', () => messageLink.close());
  // With an external drachtio-server this PF keeps the overload control's counts itself: a MESSAGE
  // sent while a request is handled is sent for it (D-345). The embedded edge counts its own.
  const inFlight = new InFlight(!edge);
  const requests: RequestSender = messageLink ?? (edge ? srf : inFlight.sendingFor(srf));
  const msrp = await MsrpListener.start({ host: config.msrp.host, port: config.msrp.port, advertiseHost: config.msrp.advertiseHost, ...carrier.hooks(), log: (line) => msrpLog.debug(line) });
  running.add('the MSRP listener', () => msrp.close());
  carrier.listener = msrp;
  log.info(`MSRP listener on ${config.msrp.host}:${msrp.port} (advertised as ${msrp.host})`);
  const sipLog = logger('sip');
  const isServed = (aor: string) => users.has(aor);
  const userId = (aor: string) => users.get(aor);
  const record = decisionSink(decisions, bus, sipLog);
  const store = new EffectStore(db.store, userId, config.deferredTtlSec * 1000, config.deferredMaxPerUser);
  const guard = new StorageGuard();
  const prefs = new PrefsCache(db.store, userId, guard, now);
  const route = { domain: config.domain, outboundProxy: config.outboundProxy, isServed };
  const services = { prefs, state, registrar, store, record, userId, log: sipLog, now, route };
  const imdn = new ImdnService(services);
  const pager = new PagerService(services);
  let localTerminating: LocalTerminating = () => {};
  const runner = new EffectRunner({
    requests,
    state,
    store,
    guard,
    log: sipLog,
    now,
    core: coreRouter({ requests, isServed, outboundProxy: config.outboundProxy, local: () => localTerminating }),
    onRequestOutcome: (o) => {
      const service = imdn.owns(o.leg) ? imdn : pager.owns(o.leg) ? pager : undefined;
      void service?.onRequestOutcome(o).catch((err: Error) => sipLog.error(`outcome of ${o.leg}: ${err.stack ?? err.message}`));
    },
    onTimer: (name) => {
      const owner = imdn.owns(name) ? imdn : pager.owns(name) ? pager : undefined;
      void owner?.onTimer(name).catch((err: Error) => sipLog.error(`timer ${name}: ${err.stack ?? err.message}`));
    },
  });
  imdn.attach(runner);
  pager.attach(runner);
  const handlerDeps = { srf, msrp: carrier, userPrefs: (aor: string) => prefs.get(aor), sessionRows: writer, route, instance: config.instance, topologyConfig: config.topology, db: db.store, bus, store, state, registrar, runner, imdn, pager, isServed, inFlight, record, log: sipLog, now };
  // Trust first: rate limits, size, Max-Forwards and loops are checked before any handler runs.
  // With an external drachtio-server the overload verdict is applied here, on the requests this
  // PF is handling (the embedded edge applied it already, on what srf has not answered).
  const overload = edge ? undefined : (req: OfferedRequest) => gate.verdict(req, { lagMs: lag.lagMs(), pending: inFlight.pending, waiting: inFlight.waiting });
  // srf's middleware, in order, installed through `use`, never srf.use alone: a MESSAGE over the
  // MESSAGE link runs through this same list (D-341; server/sip/message-link.test.ts checks)
  const middleware: Handler[] = [];
  const use = (h: Handler) => {
    middleware.push(h);
    srf.use(h);
  };
  // every log line about a request carries its Call-ID and served user (D-224)
  use(sipLogContext({ isServed, log: sipLog }));
  const trust = sipTrust({ ...config.sipTrust, self: () => [edge?.sipAddress ?? config.sip], overload });
  use(trust);
  // what the overload control sees, for the metrics (D-332): where the verdicts were applied
  overloadNow = () => {
    if (!edge) return { pending: inFlight.pending, waiting: inFlight.waiting, refused: trust.counters.overloadedBy };
    const s = edge.stats();
    return { pending: s.appPending, waiting: s.appWaiting, refused: s.overloadedBy };
  };
  // PF_TRUST=peers: a MESSAGE from nobody the PF knows is refused and recorded (D-134)
  use(unknownSourceGate({ engine: state.engine, trust: config.topology.trust, topology: () => sessionHandlersOf(srf)?.topology, reload: (t) => t.reload(db.store), record, isServed, now }));
  const handlers = installPfHandlers(srf, handlerDeps);
  messageLink?.serve([...middleware, handlers.message]);
  // Corked only now: srf sends a route frame for each verb as its handler is installed, and they
  // must reach the edge before startPf returns, or the first requests find no route (D-296).
  if (!corkSrfSends(srf)) log.warn('srf: its connection is not where drachtio-srf 5.0 keeps it; each frame to the edge is a write of its own (D-296)');
  // Requests this PF originates toward one of its own users re-enter the terminating path.
  localTerminating = (view, servedUser, res) => {
    const run = viewHasImdn(view) ? imdn.terminating(view, servedUser, res) : pager.terminating(view, servedUser, [], res);
    run.catch((err: Error) => sipLog.error(`local delivery: ${err.stack ?? err.message}`));
  };

  // Housekeeping: queued items that expired undelivered (IMDN-GEN-1), and retention.
  const expireNow = async () => {
    const items = await expireDeferred(db.store, new Date(now()));
    await pager.expired(items);
    return items.length;
  };
  const expiry = setInterval(() => void expireNow().catch((err: Error) => sipLog.error(`deferred expiry: ${err.message}`)), 60_000);
  expiry.unref();
  // Peers and the provider policy edited in this PF's console are reloaded at once (topologyChanged,
  // policyChanged). Edits made in another instance's console (a cluster shares the database) reach
  // this one by this re-read, not by a read on the request path (D-309, D-316). A database that is
  // down is reported elsewhere; a stored policy this version rejects is reported and not applied.
  const sharedRefresh = setInterval(() => {
    void sessionHandlersOf(srf)?.topology.reload(db.store).catch(() => undefined);
    void reloadPolicy('changed in the shared database').catch((err: Error) => log.error(`provider policy not reloaded: ${err.message}`));
  }, SHARED_REFRESH_MS);
  sharedRefresh.unref();
  const stopRetention = startRetention({
    db: db.store,
    decisionDays: config.retentionDays,
    deferredDays: config.retentionDays,
    recordingHours: config.record.retentionHours,
    onError: (err) => log.error(`retention: ${(err as Error).message}`),
  });

  return {
    config,
    db,
    edge,
    msrp,
    srf,
    bus,
    decisions,
    recorder,
    registrar,
    state,
    sipAddress: edge?.sipAddress ?? { host: config.sip.host, port: config.sip.port },
    metrics,
    capture,
    expireDeferredNow: expireNow,
    sessionsWritten: () => sessionHandlersOf(srf)?.runtime.written() ?? Promise.resolve(),
    async policyChanged(aor) {
      prefs.invalidate(aor);
      if (aor === null) await reloadPolicy('saved in this console');
    },
    async topologyChanged() {
      await sessionHandlersOf(srf)?.topology.reload(db.store);
    },
    async stop() {
      // Finish what is in flight (new requests get 503 meanwhile), then let the answers leave.
      await inFlight.drain(DRAIN_TIMEOUT_MS);
      // Sessions cannot outlive this process (D-108): the engine ends them with a BYE now (D-109).
      const released = await handlers.releaseSessions(SHUTDOWN_BYE_WAIT_MS);
      if (released) log.info(`released ${released} session(s) with BYE (${STOP_REASON})`);
      await new Promise((r) => setTimeout(r, ANSWER_FLUSH_MS));
      clearInterval(expiry);
      clearInterval(sharedRefresh);
      await stopRetention();
      handlers.close();
      runner.close();
      // everything startWith started, newest first: the store's writers after what writes through them (D-325, D-329)
      await running.run();
    },
  };
}
