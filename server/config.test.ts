import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config';

test('config: defaults for an empty environment (embedded edge, SQLite file, peers trust)', () => {
  const c = loadConfig({});
  assert.equal(c.sip.port, 5060);
  assert.equal(c.http.port, 3000);
  assert.equal(c.databaseUrl, 'file:./data/cpm-pf.db');
  assert.equal(c.drachtio, undefined);
  assert.deepEqual(c.topology, { trust: 'peers', file: undefined });
  assert.equal(c.redisUrl, undefined, 'one instance: no Redis');
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
});

test('config: every bad setting stops the start with a sentence naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SIP_PORT: '70000' }, /SIP_PORT must be a port number/],
    [{ SIP_TRANSPORTS: 'udp,tls' }, /SIP_TRANSPORTS lists "tls"/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with file:/],
    [{ REDIS_URL: 'http://cache:6379' }, /REDIS_URL must start with redis:\/\/ or rediss:\/\//],
    [{ PF_TRUST: 'everyone' }, /PF_TRUST must be one of open, peers, got "everyone"/],
    [{ PF_SIP_RATE: '-1' }, /PF_SIP_RATE must be a whole number of at least 0/],
    [{ PF_SIP_BURST: '1.5' }, /PF_SIP_BURST must be a whole number of at least 1/],
    [{ PF_OUTBOUND_PROXY: 'core' }, /PF_OUTBOUND_PROXY must be host:port/],
    [{ PF_INSTANCE: 'pf a' }, /PF_INSTANCE must be a name without spaces/],
    [{ PF_OVERLOAD_MAX_PENDING: '-5' }, /PF_OVERLOAD_MAX_PENDING must be a whole number of at least 0/],
    [{ PF_OVERLOAD_MAX_LAG_MS: 'soon' }, /PF_OVERLOAD_MAX_LAG_MS must be a whole number of at least 0/],
    [{ PF_OVERLOAD_MAX_WAITING: 'many' }, /PF_OVERLOAD_MAX_WAITING must be a whole number of at least 0/],
  ];
  for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
});

test('config: overload control (D-150, D-345, D-348) has defaults, 0 turns a signal (or the grace) off', () => {
  assert.deepEqual(loadConfig({}).overload, { maxPending: 200, pendingGraceMs: 250, maxWaiting: 5000, maxLagMs: 300 });
  assert.deepEqual(loadConfig({ PF_OVERLOAD_MAX_PENDING: '0', PF_OVERLOAD_PENDING_GRACE_MS: '0', PF_OVERLOAD_MAX_WAITING: '0', PF_OVERLOAD_MAX_LAG_MS: '0' }).overload, { maxPending: 0, pendingGraceMs: 0, maxWaiting: 0, maxLagMs: 0 });
  assert.throws(() => loadConfig({ PF_OVERLOAD_PENDING_GRACE_MS: '-1' }), /PF_OVERLOAD_PENDING_GRACE_MS/);
});

test('config: D-335 PF_BACKGROUND_NICE defaults to 10, 0 turns it off, and a value outside 0–19 is refused', () => {
  assert.equal(loadConfig({}).backgroundNice, 10);
  assert.equal(loadConfig({ PF_BACKGROUND_NICE: '0' }).backgroundNice, 0);
  assert.equal(loadConfig({ PF_BACKGROUND_NICE: '19' }).backgroundNice, 19);
  assert.throws(() => loadConfig({ PF_BACKGROUND_NICE: '20' }), /PF_BACKGROUND_NICE must be at most 19/);
  assert.throws(() => loadConfig({ PF_BACKGROUND_NICE: '-5' }), /PF_BACKGROUND_NICE must be a whole number of at least 0/);
});

test('config: PF_TRUST and PF_TOPOLOGY_FILE reach the topology settings', () => {
  assert.deepEqual(loadConfig({ PF_TRUST: 'open', PF_TOPOLOGY_FILE: '/etc/cpm-pf/peers.json' }).topology, { trust: 'open', file: '/etc/cpm-pf/peers.json' });
});

test('config: D-108 PF_INSTANCE defaults to this host and SIP port, so a restart of one deployment finds its own sessions', () => {
  const a = loadConfig({ SIP_PORT: '5070' }).instance;
  assert.equal(a, loadConfig({ SIP_PORT: '5070' }).instance);
  assert.notEqual(a, loadConfig({ SIP_PORT: '5080' }).instance);
  assert.equal(loadConfig({ PF_INSTANCE: 'pf-east-1' }).instance, 'pf-east-1');
});

test('config: SIP over TCP limits (issue 18) have defaults, are read from PF_SIP_TCP_*, and are validated', () => {
  assert.deepEqual(loadConfig({}).sip.tcp, { maxConnections: 1024, maxConnectionsPerSource: 64, headerTimeoutMs: 10_000, idleTimeoutMs: 300_000, maxBufferBytes: 131_072 });
  assert.deepEqual(loadConfig({ PF_SIP_TCP_MAX_CONNECTIONS: '10', PF_SIP_TCP_MAX_PER_SOURCE: '2', PF_SIP_TCP_HEADER_TIMEOUT_SEC: '3', PF_SIP_TCP_IDLE_TIMEOUT_SEC: '0', PF_SIP_TCP_MAX_BUFFER_BYTES: '70000' }).sip.tcp,
    { maxConnections: 10, maxConnectionsPerSource: 2, headerTimeoutMs: 3000, idleTimeoutMs: 0, maxBufferBytes: 70000 });
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PF_SIP_TCP_MAX_CONNECTIONS: '0' }, /PF_SIP_TCP_MAX_CONNECTIONS must be a whole number of at least 1/],
    [{ PF_SIP_TCP_MAX_CONNECTIONS: '10', PF_SIP_TCP_MAX_PER_SOURCE: '11' }, /PF_SIP_TCP_MAX_PER_SOURCE .* at most PF_SIP_TCP_MAX_CONNECTIONS/],
    [{ PF_SIP_TCP_HEADER_TIMEOUT_SEC: '0' }, /PF_SIP_TCP_HEADER_TIMEOUT_SEC must be a whole number of at least 1/],
    [{ PF_SIP_TCP_IDLE_TIMEOUT_SEC: '5', PF_SIP_TCP_HEADER_TIMEOUT_SEC: '10' }, /PF_SIP_TCP_IDLE_TIMEOUT_SEC must be 0 \(off\) or at least PF_SIP_TCP_HEADER_TIMEOUT_SEC/],
    [{ PF_SIP_TCP_MAX_BUFFER_BYTES: '1000' }, /PF_SIP_TCP_MAX_BUFFER_BYTES must be at least PF_SIP_MAX_BYTES/],
  ];
  for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
});

test('config: PF_TRUSTED_PROXIES lists the reverse proxies whose X-Forwarded-For is believed (issue 18)', () => {
  assert.deepEqual(loadConfig({}).console, { trustedProxies: [] });
  assert.deepEqual(loadConfig({ PF_TRUSTED_PROXIES: '127.0.0.1, ::1,10.0.0.5' }).console, { trustedProxies: ['127.0.0.1', '::1', '10.0.0.5'] });
  assert.throws(() => loadConfig({ PF_TRUSTED_PROXIES: '127.0.0.1,proxy.example' }), /PF_TRUSTED_PROXIES must list IP addresses, got "proxy.example"/);
});

test('config: PF_DEFERRED_MAX_PER_USER bounds each user\'s deferred queue (issue 18, D-134)', () => {
  assert.equal(loadConfig({}).deferredMaxPerUser, 1000);
  assert.equal(loadConfig({ PF_DEFERRED_MAX_PER_USER: '5' }).deferredMaxPerUser, 5);
  assert.throws(() => loadConfig({ PF_DEFERRED_MAX_PER_USER: '0' }), /PF_DEFERRED_MAX_PER_USER must be a whole number of at least 1/);
});

test('config: the MSRP listener (D-163) defaults to loopback and a free port, and is validated', () => {
  assert.deepEqual(loadConfig({}).msrp, { host: '127.0.0.1', port: 0, advertiseHost: '127.0.0.1' });
  assert.deepEqual(loadConfig({ PF_MSRP_HOST: '0.0.0.0', PF_MSRP_PORT: '2855', PF_MSRP_ADVERTISE_HOST: 'pf.example.com' }).msrp, { host: '0.0.0.0', port: 2855, advertiseHost: 'pf.example.com' });
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PF_MSRP_PORT: '99999' }, /PF_MSRP_PORT must be a port number/],
    [{ PF_MSRP_HOST: 'localhost' }, /PF_MSRP_HOST must be an IP address/],
    [{ PF_MSRP_HOST: '0.0.0.0' }, /PF_MSRP_ADVERTISE_HOST must be set/],
    [{ PF_MSRP_ADVERTISE_HOST: 'pf example' }, /PF_MSRP_ADVERTISE_HOST must be an IP address or a host name/],
  ];
  for (const [env, message] of bad) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
});

test('config: operator tools (issue 19): HEP_URL, PF_METRICS_TOKEN, HEP_CAPTURE_ID and PF_CAPTURE_MAX_BYTES are read and validated', () => {
  const none = loadConfig({}).observe;
  assert.deepEqual(none, { metricsToken: undefined, hepUrl: undefined, hepCaptureId: 2001, captureMaxBytes: 16 * 1024 * 1024 });
  const set = loadConfig({ HEP_URL: 'udp://127.0.0.1:9061', PF_METRICS_TOKEN: 'scrape-me-0123456789', HEP_CAPTURE_ID: '7', PF_CAPTURE_MAX_BYTES: '0' }).observe;
  assert.deepEqual(set, { metricsToken: 'scrape-me-0123456789', hepUrl: { proto: 'udp', host: '127.0.0.1', port: 9061 }, hepCaptureId: 7, captureMaxBytes: 0 });
  assert.deepEqual(loadConfig({ HEP_URL: 'tcp://homer.example.net' }).observe.hepUrl, { proto: 'tcp', host: 'homer.example.net', port: 9060 });
  assert.deepEqual(loadConfig({ HEP_URL: 'udp://[::1]:9060' }).observe.hepUrl, { proto: 'udp', host: '::1', port: 9060 });
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ HEP_URL: 'http://homer:9060' }, /HEP_URL must be udp:\/\/host:port or tcp:\/\/host:port, got "http:\/\/homer:9060"/],
    [{ HEP_URL: 'udp://homer:0' }, /HEP_URL must be/],
    [{ HEP_URL: 'udp://homer:70000' }, /HEP_URL must be/],
    [{ PF_METRICS_TOKEN: 'short' }, /PF_METRICS_TOKEN must be at least 16 printable characters/],
    [{ PF_METRICS_TOKEN: 'has a space in it, sixteen+' }, /PF_METRICS_TOKEN must be/],
    [{ HEP_CAPTURE_ID: '4294967296' }, /HEP_CAPTURE_ID must fit in 32 bits/],
    [{ PF_CAPTURE_MAX_BYTES: '-1' }, /PF_CAPTURE_MAX_BYTES must be a whole number of at least 0/],
  ];
  for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
});

test('config: D-240 recording of engine inputs is on and kept 48 hours by default; PF_RECORD=off stops it; bad values are named', () => {
  assert.deepEqual(loadConfig({}).record, { enabled: true, retentionHours: 48 });
  assert.deepEqual(loadConfig({ PF_RECORD: 'OFF', PF_RECORD_RETENTION_HOURS: '24' }).record, { enabled: false, retentionHours: 24 });
  assert.throws(() => loadConfig({ PF_RECORD: 'maybe' }), /PF_RECORD must be on or off, got "maybe"/);
  assert.throws(() => loadConfig({ PF_RECORD_RETENTION_HOURS: '0' }), /PF_RECORD_RETENTION_HOURS must be a whole number of at least 1/);
});

test('config: PF_MESSAGE_INDEX_MAX bounds each MessageIndex (D-320)', () => {
  assert.equal(loadConfig({}).messageIndexMax, 100_000);
  assert.equal(loadConfig({ PF_MESSAGE_INDEX_MAX: '50' }).messageIndexMax, 50);
  assert.throws(() => loadConfig({ PF_MESSAGE_INDEX_MAX: '0' }), /PF_MESSAGE_INDEX_MAX must be a whole number of at least 1/);
});

test('config: PF_IMDN_CACHE_MAX bounds each IMDN cache (D-324)', () => {
  assert.equal(loadConfig({}).imdnCacheMax, 1_000_000);
  assert.equal(loadConfig({ PF_IMDN_CACHE_MAX: '5000' }).imdnCacheMax, 5000);
  assert.throws(() => loadConfig({ PF_IMDN_CACHE_MAX: '0' }), /PF_IMDN_CACHE_MAX must be a whole number of at least 1/);
});

test('config: D-341 PF_MESSAGE_LINK is on by default, off sends MESSAGEs through srf, and anything else is named', () => {
  assert.equal(loadConfig({}).sip.messageLink, true);
  assert.equal(loadConfig({ PF_MESSAGE_LINK: 'off' }).sip.messageLink, false);
  assert.equal(loadConfig({ PF_MESSAGE_LINK: ' ON ' }).sip.messageLink, true);
  assert.throws(() => loadConfig({ PF_MESSAGE_LINK: 'yes' }), /PF_MESSAGE_LINK must be on or off, got "yes"/);
});
