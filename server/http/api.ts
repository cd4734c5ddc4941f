// JSON endpoints of the console, served by the PF process itself so they see the live engine
// state (see DECISIONS.md D-004). Routes are `METHOD /api/path/:param`; a bad request is answered
// 400 with a sentence, a wrong method 405, and nothing a client sends can crash the process. A path
// no route matches falls through to the next handler (see apiNotFound).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logger } from '../log';
import { HttpError } from './http-error';
import { readJsonBody } from './read-body';

export interface ApiRequest {
  req: IncomingMessage;
  url: URL;
  /** path parameters, URI-decoded */
  params: Record<string, string>;
  /** the parsed JSON body; throws HttpError(400) when it is missing or not JSON */
  body(): Promise<unknown>;
}

export type ApiRoute = (r: ApiRequest) => Promise<unknown>;

interface CompiledRoute {
  method: string;
  segments: string[];
  handler: ApiRoute;
}

const log = logger('http');

function compile(routes: Record<string, ApiRoute>): CompiledRoute[] {
  return Object.entries(routes).map(([key, handler]) => {
    const [method, path] = key.split(' ');
    return { method, segments: path.split('/').filter(Boolean), handler };
  });
}

function match(route: CompiledRoute, parts: string[]): Record<string, string> | null {
  if (route.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = route.segments[i];
    if (seg.startsWith(':')) params[seg.slice(1)] = parts[i];
    else if (seg !== parts[i]) return null;
  }
  return params;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function apiHandler(routes: Record<string, ApiRoute>) {
  const compiled = compile(routes);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/api/')) return false;
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    } catch {
      send(res, 400, { error: 'the path is not valid percent-encoding' });
      return true;
    }
    let allowed = false;
    for (const route of compiled) {
      const params = match(route, parts);
      if (!params) continue;
      allowed = true;
      if (route.method !== req.method) continue;
      try {
        const body = await route.handler({ req, url, params, body: () => readJsonBody(req) });
        send(res, 200, body ?? { ok: true });
      } catch (err) {
        if (err instanceof HttpError) send(res, err.status, { error: err.message, ...(err.fields ? { fields: err.fields } : {}) });
        else {
          log.error(`${req.method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
          send(res, 500, { error: `the PF failed to answer: ${(err as Error).message}` });
        }
      }
      return true;
    }
    if (!allowed) return false;
    send(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
    return true;
  };
}

/**
 * The last /api handler of the composition root: an API path no route set claimed is a JSON 404,
 * not a rendered page. (Several route sets may be chained before it, so apiHandler falls through.)
 */
export function apiNotFound(res: ServerResponse, url: URL): boolean {
  if (!url.pathname.startsWith('/api/')) return false;
  send(res, 404, { error: `no such API: ${url.pathname}` });
  return true;
}
