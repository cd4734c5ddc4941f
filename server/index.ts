// Composition root: config → PF (store → edge → srf → engine handlers) → HTTP (API, Next.js
// console, socket.io live stream). Where a SIP request goes: server/sip/pf-app.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import next from 'next';
import { lowerBackgroundThreads } from './background-threads';
import { ConfigError, loadConfig } from './config';
import { apiHandler } from './http/api';
import { captureRoutes } from './http/capture-routes';
import { consoleRequestHandler } from './http/console-handler';
import { demoRoutes } from './http/demo-routes';
import { consoleRoutes } from './http/routes';
import { overview } from './http/queries/overview';
import { consoleServices } from './live/console-services';
import { attachGateway } from './live/gateway';
import { connectRedis } from './live/redis-adapter';
import { logger, setLogLevel } from './log';
import { metricsEndpoint } from './metrics/endpoint';
import { parseCookies, SESSION_COOKIE } from './security/cookies';
import { startPf } from './pf';
import { createSecurity } from './security/gate';
import { SqliteFileProblem } from './store/sqlite-files';

const log = logger('main');

async function main(): Promise<void> {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  const config = loadConfig();
  setLogLevel(config.logLevel);
  // before any thread of ours starts, so that the edge's and the writer's keep the main thread's
  // priority: V8's and libuv's background threads yield to SIP's when cores are short (D-335)
  const background = lowerBackgroundThreads(config.backgroundNice);
  if (background.skipped) log.info(`background threads keep their priority: ${background.skipped}`);
  else log.info(`${background.lowered.length} background threads at nice ${config.backgroundNice} or lower`);
  if (background.refused.length) log.warn(`${background.refused.length} background threads could not be lowered (${background.refused[0].why}); PF_BACKGROUND_NICE=0 stops trying`);
  // first: an unreachable Redis stops the start before the PF takes SIP traffic
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger('redis')) : undefined;
  if (redis) log.info('live stream shared with the other instances through Redis');
  const pf = await startPf(config);

  const console = next({ dev: config.dev, hostname: config.http.host, port: config.http.port, dir: process.cwd() });
  await console.prepare();
  const render = console.getRequestHandler();
  const json = apiHandler({ ...consoleRoutes(pf), ...demoRoutes(pf) });
  const pcap = captureRoutes(pf);
  const api = async (req: IncomingMessage, res: ServerResponse, url: URL) => (await pcap(req, res, url)) || json(req, res, url);

  // Operators sign in; the gate answers what needs no page (login, 401, redirects) first.
  const security = await createSecurity(pf.db.store, { log: logger('security'), trustedProxies: config.console.trustedProxies });
  // /metrics answers scrapers with PF_METRICS_TOKEN before the gate (which would redirect to /login)
  const metrics = metricsEndpoint({
    metrics: pf.metrics,
    token: config.observe.metricsToken,
    signedIn: async (req) => Boolean(await security.sessions.lookup(parseCookies(req.headers.cookie).get(SESSION_COOKIE))),
  });
  const gate = async (req: IncomingMessage, res: ServerResponse, url: URL) => (await metrics(req, res, url)) || security.gate(req, res, url);
  const http = createServer(consoleRequestHandler({ gate, api, render, log: (line) => log.warn(line) }));
  const io = attachGateway(http, pf.bus, pf.decisions, () => overview(pf, consoleServices(pf.bus, pf.db.store)), redis?.adapter);
  io.use(security.socketMiddleware);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.http.port, config.http.host, resolve);
  });
  // the bound port: with HTTP_PORT=0 the system chose it, and this line is where an operator learns it
  log.info(`console on http://${config.http.host}:${(http.address() as AddressInfo).port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    // past the PF's own drain (10 s) and session release (2 s): a stop that hangs still ends
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    io.close();
    http.close();
    await pf.stop();
    await redis?.close();
    await console.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: Error) => {
  if (err instanceof ConfigError) log.error(`configuration: ${err.message}`);
  else if (err instanceof SqliteFileProblem) log.error(err.message);
  else log.error(err.stack ?? err.message);
  process.exit(1);
});
