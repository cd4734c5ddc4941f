// Installs the session side of the PF on srf: INVITE (DSP, B2BUA), BYE outside srf's dialogs
// (BYE-0a), and NOTIFYs of the PF's own conference subscriptions.
import type { EventEmitter } from 'node:events';
import type { Logger } from '../../log';
import type { UserPrefs } from '../../engine/model';
import type { Db } from '../../store/database';
import type { SessionRowsThread } from '../../store/session-writer';
import type { EffectRunner } from '../effect-runner';
import type { EffectStore } from '../effect-store';
import type { PfState } from '../pf-state';
import type { DecisionSink } from '../record-decisions';
import type { Registrar } from '../registrar';
import type { SrfApp } from '../srf-types';
import { Topology, type TrustMode } from '../topology';
import { ConfRelay, RELAY_SUBSCRIPTION_USER } from './conf-relay';
import { ConfSubscriber, OWN_SUBSCRIPTION_USER } from './conf-subscriber';
import { inviteHandler } from './invite-handler';
import { holdNewDialogs, onLegBye } from './leg-wiring';
import type { MsrpCarrier } from './msrp-carrier';
import { SessionRuntime } from './session-runtime';
import type { SrfDialog, SrfDialogs } from './srf-dialog';

export interface SessionDeps {
  state: PfState;
  registrar: Registrar;
  isServed: (aor: string) => boolean;
  record: DecisionSink;
  log: Logger;
  now: () => number;
  /** the database; until the composition root passes it, the registrar's own client is used */
  db?: Db;
  /** deferral and Message Store writes, shared with the IMDN and pager paths */
  store: EffectStore;
  /** the PF's one effect interpreter (session steps, generated IMDNs toward the core) */
  runner: EffectRunner;
  bus?: EventEmitter;
  topology?: Topology;
  /** PF_INSTANCE, recorded on each session */
  instance?: string;
  /** PF_TRUST and PF_TOPOLOGY_FILE, from the config (default: peers, no seed file) */
  topologyConfig?: { trust: TrustMode; file?: string };
  /** where SIP peers reach the PF (Contact of the PF's own subscriptions) */
  sipAddress?: { host: string; port: number };
  /** the MSRP media plane (D-163); without it every session keeps the in-dialog MESSAGE carrier */
  msrp?: MsrpCarrier;
  /** served users' preferences from the PF's cache (invalidated by pf.policyChanged); without it, read per step */
  userPrefs?: (aor: string) => Promise<UserPrefs>;
  /** SQLite: the writer thread for sessions' rows (D-310) */
  sessionRows?: SessionRowsThread;
}

export interface SessionHandlers {
  runtime: SessionRuntime;
  topology: Topology;
  /** graceful stop: the engine's STOP-1 BYEs on every live session (D-109); resolves with how many were released */
  releaseAll(waitMs: number): Promise<number>;
  close(): void;
}

const installed = new WeakMap<object, SessionHandlers>();

/** The session handlers installed on this srf (tests and the console reach the runtime here). */
export function sessionHandlersOf(srf: object): SessionHandlers | undefined {
  return installed.get(srf);
}

export function installSessionHandlers(srf: SrfApp, deps: SessionDeps): SessionHandlers {
  const db = deps.db ?? (deps.registrar as unknown as { db: Db }).db;
  const { trust, file: path } = deps.topologyConfig ?? { trust: 'peers' as const };
  const file = path ? Topology.readFile(path) : undefined;
  const topology = deps.topology ?? new Topology(deps.registrar, trust);
  const ready = topology.load(db, file);
  const dialogs = srf as unknown as SrfDialogs;
  // a session leg's dialog is held from srf's creation of it until it is wired (D-286)
  holdNewDialogs(srf as unknown as { addDialog(d: SrfDialog): void });
  let subscriber: ConfSubscriber | undefined;
  const runtime = new SessionRuntime({
    db,
    instance: deps.instance,
    store: deps.store,
    userAgentOf: (aor, contact) => deps.registrar.contacts(aor, deps.now()).find((b) => b.contact === contact)?.userAgent,
    runner: deps.runner,
    state: deps.state,
    record: deps.record,
    log: deps.log,
    now: deps.now,
    bus: deps.bus,
    subscribeConf: (id, e) => subscriber?.send(id, e),
    msrp: deps.msrp,
    userPrefs: deps.userPrefs,
    sessionRows: deps.sessionRows,
  });
  deps.msrp?.attach(runtime);
  const contact = (user: string) => () => {
    const a = deps.sipAddress ?? pfAddress(srf);
    return `<sip:${user}@${a.host}:${a.port}>`;
  };
  subscriber = new ConfSubscriber(srf, runtime, contact(OWN_SUBSCRIPTION_USER));
  // PIN-N1r: clients' own conference subscriptions, relayed (D-110)
  const relay = new ConfRelay(srf, runtime, contact(RELAY_SUBSCRIPTION_USER), (aor, req) =>
    deps.isServed(aor) && deps.registrar.isClientSource(aor, `${req.protocol}/${req.source_address}:${req.source_port}`, deps.now()),
  );
  srf.subscribe(relay.handler());

  const invite = inviteHandler({ srf: dialogs, msrp: deps.msrp, rt: runtime, topology, registrar: deps.registrar, isServed: deps.isServed, record: deps.record, log: deps.log, now: deps.now });
  srf.invite((req, res) => void ready.then(() => invite(req, res)));
  // a BYE for a dialog srf does not hold: no session owns it (BYE-0a)
  dialogs.bye((req, res) => onLegBye(runtime, undefined, req, res));
  dialogs.notify((req, res) => relay.onNotify(req, res) || subscriber!.onNotify(req, res));

  const handlers: SessionHandlers = {
    runtime,
    topology,
    releaseAll: (waitMs) => runtime.releaseAll(waitMs),
    close: () => {
      relay.close();
      runtime.close();
    },
  };
  installed.set(srf, handlers);
  return handlers;
}

/** The address srf reported on connect (`udp/127.0.0.1:5060,...`), for the PF's own Contact. */
function pfAddress(srf: SrfApp): { host: string; port: number } {
  const agent = (srf as unknown as { _app?: { client?: { mapServer?: Map<unknown, { hostport?: string }> } } })._app?.client;
  for (const conn of agent?.mapServer?.values() ?? []) {
    const m = /(\d+\.\d+\.\d+\.\d+):(\d+)/.exec(conn.hostport ?? '');
    if (m) return { host: m[1], port: Number(m[2]) };
  }
  return { host: '127.0.0.1', port: 5060 };
}
