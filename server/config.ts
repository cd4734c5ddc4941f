// The one place that reads the environment. Every value is validated here so that a bad setting
// stops the process at start with a sentence that names the variable, instead of failing later.
// One exception: PF_HEAP_MB is node's own flag, read by the start script (scripts/heap-limit.mjs).
import { isIP } from 'node:net';
import os from 'node:os';
import { DEFAULT_MAX_CACHE_ENTRIES } from './engine/imdn/cache';

export interface Config {
  http: { host: string; port: number };
  sip: {
    host: string; port: number; transports: Array<'udp' | 'tcp'>;
    /** SIP over TCP bounds (connections overall and per source, message and idle timeouts, buffer per connection) */
    tcp: { maxConnections: number; maxConnectionsPerSource: number; headerTimeoutMs: number; idleTimeoutMs: number; maxBufferBytes: number };
    /** PF_EDGE_THREAD: the embedded edge runs on a worker thread of its own (D-285) */
    edgeThread: boolean;
    /** PF_EDGE_LINK: srf reaches the embedded edge in process (D-297) or over the control port's TCP */
    edgeLink: 'in-process' | 'tcp';
    /** PF_MESSAGE_LINK: a MESSAGE outside a dialog reaches the PF from the embedded edge without srf (D-341) */
    messageLink: boolean;
  };
  /** set when an external drachtio-server is used; then no embedded edge is started */
  drachtio?: { host: string; port: number; secret: string };
  edgeControl: { host: string; port: number; secret: string };
  /** the MSRP listener of the sessions' media plane (D-163): where it listens, the host put in SDP and a=path */
  msrp: { host: string; port: number; advertiseHost: string };
  databaseUrl: string;
  /** REDIS_URL: when set, the console's live stream crosses PF instances through Redis (issue 19) */
  redisUrl?: string;
  /** names this PF process in the database; a restart closes the sessions its previous run held */
  instance: string;
  domain: string;
  seedUsers: string[];
  /** host:port where requests toward the SIP/IP core go (generated IMDNs, originating requests) */
  outboundProxy?: string;
  /** how long a deferred item waits for a client before it expires */
  deferredTtlSec: number;
  /** pending deferred items one user may have; past it a MESSAGE to them gets 480 (D-134) */
  deferredMaxPerUser: number;
  /** entries each MessageIndex (messages sent, messages received) keeps at most (D-320) */
  messageIndexMax: number;
  /** entries each IMDN cache (RX, TX) keeps at most (PF_IMDN_CACHE_MAX, D-324) */
  imdnCacheMax: number;
  /** decision log and finished deferred items are deleted after this many days */
  retentionDays: number;
  /** the engine's inputs are recorded for replay and what-if (PF_RECORD=off stops it) and kept this many hours */
  record: { enabled: boolean; retentionHours: number };
  /** SIP trust middleware: per-source rate (0 = off), burst, largest accepted message */
  sipTrust: { rate: number; burst: number; maxMessageBytes: number };
  /**
   * overload control (D-150, D-345): new requests get 503 while this many are unanswered by the PF,
   * this many wait on a next hop for it, or the event loop lags this much (0 = off)
   */
  overload: { maxPending: number; pendingGraceMs: number; maxWaiting: number; maxLagMs: number };
  /** the nice value given to the process's background threads at start (D-335; 0 = left alone) */
  backgroundNice: number;
  /** who may send requests (peers: only topology peers and registered clients) and the seed file */
  topology: { trust: 'open' | 'peers'; file?: string };
  /** the console: reverse proxies whose X-Forwarded-For names the client (login throttle, audit) */
  console: { trustedProxies: string[] };
  /** operator tools (issue 19): the /metrics bearer token, the HEP collector, the capture kept for pcap downloads */
  observe: { metricsToken?: string; hepUrl?: HepTarget; hepCaptureId: number; captureMaxBytes: number };
  dev: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {}

/** Where HEP v3 packets go: a Homer collector (heplify-server, homer-app) over UDP or TCP. */
export interface HepTarget {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function transports(env: Env): Array<'udp' | 'tcp'> {
  const raw = env.SIP_TRANSPORTS ?? 'udp,tcp';
  const list = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const t of list) {
    if (t !== 'udp' && t !== 'tcp') {
      throw new ConfigError(`SIP_TRANSPORTS lists "${t}"; only udp and tcp are supported`);
    }
  }
  if (list.length === 0) throw new ConfigError('SIP_TRANSPORTS must name at least one transport');
  return list as Array<'udp' | 'tcp'>;
}

function databaseUrl(env: Env): string {
  const url = env.DATABASE_URL || 'file:./data/cpm-pf.db';
  if (!/^(file:|postgres(ql)?:\/\/)/.test(url)) {
    throw new ConfigError(`DATABASE_URL must start with file: (SQLite) or postgresql:// , got "${url}"`);
  }
  return url;
}

function redisUrl(env: Env): string | undefined {
  const url = env.REDIS_URL;
  if (!url) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${url}"`);
  return url;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return n;
}

/** PF_EDGE_THREAD (on | off, default on): the embedded edge on a worker thread (D-285, D-292). */
function edgeThread(env: Env): boolean {
  const raw = (env.PF_EDGE_THREAD ?? 'on').trim().toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`PF_EDGE_THREAD must be on or off, got "${env.PF_EDGE_THREAD}"`);
  return raw === 'on';
}

/** PF_EDGE_LINK (in-process | tcp, default in-process): how srf reaches the embedded edge (D-297). */
function edgeLink(env: Env): 'in-process' | 'tcp' {
  const raw = (env.PF_EDGE_LINK ?? 'in-process').trim().toLowerCase();
  if (raw !== 'in-process' && raw !== 'tcp') throw new ConfigError(`PF_EDGE_LINK must be in-process or tcp, got "${env.PF_EDGE_LINK}"`);
  return raw;
}

/** PF_MESSAGE_LINK (on | off, default on): MESSAGEs outside a dialog skip the control protocol and srf (D-341). */
function messageLink(env: Env): boolean {
  const raw = (env.PF_MESSAGE_LINK ?? 'on').trim().toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`PF_MESSAGE_LINK must be on or off, got "${env.PF_MESSAGE_LINK}"`);
  return raw === 'on';
}

/** PF_RECORD (on | off, default on) and PF_RECORD_RETENTION_HOURS (default 48: the console's longest what-if window is a day, D-240). */
function record(env: Env): Config['record'] {
  const raw = (env.PF_RECORD ?? 'on').trim().toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`PF_RECORD must be on or off, got "${env.PF_RECORD}"`);
  return { enabled: raw === 'on', retentionHours: positiveInt(env, 'PF_RECORD_RETENTION_HOURS', 48) };
}

function wholeNumber(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return n;
}

/**
 * PF_SIP_RATE (0 = no limit), PF_SIP_BURST (default 2 × rate), PF_SIP_MAX_BYTES (default 65535).
 * The default rate is half the IMDN rate one PF process held with zero failures in the bench
 * (1,500/s on 2 cores in every fresh-clone run since 68fe2af, docs/BENCHMARKS.md): one source
 * alone cannot push the PF into overload (D-152, D-347).
 */
function sipTrust(env: Env): Config['sipTrust'] {
  const rate = wholeNumber(env, 'PF_SIP_RATE', 750, 0);
  return { rate, burst: wholeNumber(env, 'PF_SIP_BURST', Math.max(1, rate * 2), 1), maxMessageBytes: wholeNumber(env, 'PF_SIP_MAX_BYTES', 65535, 1024) };
}

/**
 * PF_OVERLOAD_MAX_PENDING (default 200; D-305 measured 100, D-334 400), PF_OVERLOAD_PENDING_GRACE_MS
 * (default PENDING_GRACE_DEFAULT_MS, D-348), PF_OVERLOAD_MAX_WAITING
 * (default WAITING_DEFAULT, D-345), PF_OVERLOAD_MAX_LAG_MS (default 300); 0 = off (issue 17,
 * DECISIONS D-150). 200 pending is about 0.15 s of work at the measured capacity.
 */
function overload(env: Env): Config['overload'] {
  return {
    maxPending: wholeNumber(env, 'PF_OVERLOAD_MAX_PENDING', 200, 0),
    pendingGraceMs: wholeNumber(env, 'PF_OVERLOAD_PENDING_GRACE_MS', PENDING_GRACE_DEFAULT_MS, 0),
    maxWaiting: wholeNumber(env, 'PF_OVERLOAD_MAX_WAITING', WAITING_DEFAULT, 0),
    maxLagMs: wholeNumber(env, 'PF_OVERLOAD_MAX_LAG_MS', 300, 0),
  };
}

/**
 * How long a burst may keep the pending count at or above PF_OVERLOAD_MAX_PENDING before new
 * requests are refused (D-348): longer than the pauses of the main thread measured at 3,000
 * MESSAGEs/s (full collections every 1.3–1.5 s, gaps of 30–70 ms) and the drain after them, well
 * short of T1; a burst is bounded meanwhile at four times the limit.
 */
const PENDING_GRACE_DEFAULT_MS = 250;

/**
 * Requests waiting on a next hop at once (D-345): what they hold is the bound. Measured 21–37 KiB
 * of RSS each (1,000 to 10,000 MESSAGEs waiting on a dead contact), so 5,000 is about 110–180 MiB;
 * at 20 s a wait (D-115) that is 250 MESSAGEs a second to dead contacts.
 */
const WAITING_DEFAULT = 5_000;

/**
 * PF_BACKGROUND_NICE (default 10; 0 = off, at most 19): the nice value of V8's and libuv's
 * background threads, so that SIP's threads go first when the cores are short (D-335).
 */
function backgroundNice(env: Env): number {
  const n = wholeNumber(env, 'PF_BACKGROUND_NICE', 10, 0);
  if (n > 19) throw new ConfigError(`PF_BACKGROUND_NICE must be at most 19 (the lowest priority), got "${n}"`);
  return n;
}

/** PF_SIP_TCP_*: bounds on SIP over TCP (issue 18, DECISIONS D-130). */
function sipTcp(env: Env, maxMessageBytes: number): Config['sip']['tcp'] {
  const maxConnections = wholeNumber(env, 'PF_SIP_TCP_MAX_CONNECTIONS', 1024, 1);
  const maxConnectionsPerSource = wholeNumber(env, 'PF_SIP_TCP_MAX_PER_SOURCE', Math.min(64, maxConnections), 1);
  if (maxConnectionsPerSource > maxConnections) throw new ConfigError(`PF_SIP_TCP_MAX_PER_SOURCE must be at most PF_SIP_TCP_MAX_CONNECTIONS (${maxConnections}), got "${maxConnectionsPerSource}"`);
  const headerSec = wholeNumber(env, 'PF_SIP_TCP_HEADER_TIMEOUT_SEC', 10, 1);
  const idleSec = wholeNumber(env, 'PF_SIP_TCP_IDLE_TIMEOUT_SEC', 300, 0);
  if (idleSec !== 0 && idleSec < headerSec) throw new ConfigError(`PF_SIP_TCP_IDLE_TIMEOUT_SEC must be 0 (off) or at least PF_SIP_TCP_HEADER_TIMEOUT_SEC (${headerSec}), got "${idleSec}"`);
  const maxBufferBytes = wholeNumber(env, 'PF_SIP_TCP_MAX_BUFFER_BYTES', Math.max(131_072, maxMessageBytes), 1);
  // a message a little over PF_SIP_MAX_BYTES must still arrive whole to be answered 513
  if (maxBufferBytes < maxMessageBytes) throw new ConfigError(`PF_SIP_TCP_MAX_BUFFER_BYTES must be at least PF_SIP_MAX_BYTES (${maxMessageBytes}), got "${maxBufferBytes}"`);
  return { maxConnections, maxConnectionsPerSource, headerTimeoutMs: headerSec * 1000, idleTimeoutMs: idleSec * 1000, maxBufferBytes };
}

// Stable across restarts of one deployment by default (its host and SIP port); set PF_INSTANCE
// when several PFs share a database from one host and port (external drachtio-server).
function instance(env: Env): string {
  const raw = env.PF_INSTANCE || `${os.hostname()}:${env.SIP_PORT || 5060}`;
  if (raw.length > 200 || /\s/.test(raw)) throw new ConfigError(`PF_INSTANCE must be a name without spaces of at most 200 characters, got "${raw}"`);
  return raw;
}

function trustedProxies(env: Env): string[] {
  const list = (env.PF_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) if (!isIP(a)) throw new ConfigError(`PF_TRUSTED_PROXIES must list IP addresses, got "${a}"`);
  return list.map((a) => a.toLowerCase());
}

function msrp(env: Env): Config['msrp'] {
  const host = env.PF_MSRP_HOST || '127.0.0.1';
  if (!isIP(host)) throw new ConfigError(`PF_MSRP_HOST must be an IP address to listen on, got "${host}"`);
  const advertiseHost = env.PF_MSRP_ADVERTISE_HOST || (host === '0.0.0.0' || host === '::' ? '' : host);
  if (!advertiseHost) throw new ConfigError('PF_MSRP_ADVERTISE_HOST must be set when PF_MSRP_HOST listens on every address: it is the host written in SDP and a=path');
  if (!isIP(advertiseHost) && !/^[A-Za-z0-9.-]+$/.test(advertiseHost)) throw new ConfigError(`PF_MSRP_ADVERTISE_HOST must be an IP address or a host name, got "${advertiseHost}"`);
  return { host, port: port(env, 'PF_MSRP_PORT', 0), advertiseHost };
}

function hostPort(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(raw)) throw new ConfigError(`${name} must be host:port, got "${raw}"`);
  return raw;
}

/** HEP_URL: udp://host:port or tcp://host:port (default port 9060, the collectors' usual one). */
function hepUrl(env: Env): HepTarget | undefined {
  const raw = env.HEP_URL;
  if (!raw) return undefined;
  const m = /^(udp|tcp):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(raw);
  const portNumber = m?.[3] === undefined ? 9060 : Number(m[3]);
  if (!m || portNumber < 1 || portNumber > 65535) throw new ConfigError(`HEP_URL must be udp://host:port or tcp://host:port, got "${raw}"`);
  return { proto: m[1] as 'udp' | 'tcp', host: m[2].replace(/^\[|\]$/g, ''), port: portNumber };
}

function metricsToken(env: Env): string | undefined {
  const raw = env.PF_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  // it travels in an Authorization header: printable, no spaces, and long enough not to be guessed
  if (!/^[\x21-\x7e]{16,}$/.test(raw)) throw new ConfigError('PF_METRICS_TOKEN must be at least 16 printable characters without spaces');
  return raw;
}

function observe(env: Env): Config['observe'] {
  const hepCaptureId = wholeNumber(env, 'HEP_CAPTURE_ID', 2001, 0);
  if (hepCaptureId > 0xffffffff) throw new ConfigError(`HEP_CAPTURE_ID must fit in 32 bits, got "${hepCaptureId}"`);
  return {
    metricsToken: metricsToken(env),
    hepUrl: hepUrl(env),
    hepCaptureId,
    captureMaxBytes: wholeNumber(env, 'PF_CAPTURE_MAX_BYTES', 16 * 1024 * 1024, 0),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const drachtioHost = env.DRACHTIO_HOST;
  const domain = (env.PF_DOMAIN || 'example.com').toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(domain)) throw new ConfigError(`PF_DOMAIN "${domain}" is not a domain name`);
  const trust = sipTrust(env);
  return {
    http: { host: env.HTTP_HOST || '127.0.0.1', port: port(env, 'HTTP_PORT', 3000) },
    sip: { host: env.SIP_HOST || '127.0.0.1', port: port(env, 'SIP_PORT', 5060), transports: transports(env), tcp: sipTcp(env, trust.maxMessageBytes), edgeThread: edgeThread(env), edgeLink: edgeLink(env), messageLink: messageLink(env) },
    drachtio: drachtioHost
      ? { host: drachtioHost, port: port(env, 'DRACHTIO_PORT', 9022), secret: env.DRACHTIO_SECRET || 'cymru' }
      : undefined,
    edgeControl: {
      host: '127.0.0.1',
      port: port(env, 'EDGE_CONTROL_PORT', 0),
      // The embedded edge listens on loopback only; a per-process secret keeps other local users out.
      secret: env.EDGE_CONTROL_SECRET || `embedded-${Math.random().toString(36).slice(2)}`,
    },
    msrp: msrp(env),
    databaseUrl: databaseUrl(env),
    redisUrl: redisUrl(env),
    instance: instance(env),
    domain,
    outboundProxy: hostPort(env, 'PF_OUTBOUND_PROXY'),
    deferredTtlSec: positiveInt(env, 'PF_DEFERRED_TTL_SEC', 604800),
    deferredMaxPerUser: positiveInt(env, 'PF_DEFERRED_MAX_PER_USER', 1000),
    messageIndexMax: positiveInt(env, 'PF_MESSAGE_INDEX_MAX', 100_000),
    imdnCacheMax: positiveInt(env, 'PF_IMDN_CACHE_MAX', DEFAULT_MAX_CACHE_ENTRIES),
    retentionDays: positiveInt(env, 'PF_RETENTION_DAYS', 30),
    record: record(env),
    sipTrust: trust,
    overload: overload(env),
    backgroundNice: backgroundNice(env),
    topology: { trust: oneOf(env, 'PF_TRUST', ['open', 'peers'] as const, 'peers'), file: env.PF_TOPOLOGY_FILE || undefined },
    seedUsers: (env.SEED_USERS ?? 'alice,bob,carol').split(',').map((s) => s.trim()).filter(Boolean),
    console: { trustedProxies: trustedProxies(env) },
    observe: observe(env),
    dev: env.NODE_ENV === 'development',
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };
}
