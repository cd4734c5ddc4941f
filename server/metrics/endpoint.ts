// GET /metrics for Prometheus (D-220). With PF_METRICS_TOKEN set, a scraper presents it as a
// bearer token (Prometheus `authorization: { credentials: … }`); a signed-in console operator may
// read it too. Without a token only a signed-in operator may: the counts are operational data
// and the console's port may be reachable by others.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PfMetrics } from './pf-metrics';

export interface MetricsEndpointOptions {
  metrics: PfMetrics;
  /** PF_METRICS_TOKEN */
  token?: string;
  /** whether the request carries a live console session */
  signedIn(req: IncomingMessage): Promise<boolean>;
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ ]+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function refuse(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Answers /metrics (true), or leaves every other path to the next stage (false). */
export function metricsEndpoint(opts: MetricsEndpointOptions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'GET /metrics\n', { allow: 'GET, HEAD' });
      return true;
    }
    const allowed = (opts.token !== undefined && bearerMatches(req.headers.authorization, opts.token)) || (await opts.signedIn(req));
    if (!allowed) {
      refuse(res, 401, opts.token ? 'send PF_METRICS_TOKEN as "Authorization: Bearer <token>"\n' : 'sign in to the console, or set PF_METRICS_TOKEN and send it as a bearer token\n', { 'www-authenticate': 'Bearer realm="metrics"' });
      return true;
    }
    const body = await opts.metrics.exposition();
    res.writeHead(200, { 'content-type': opts.metrics.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
