// JSON endpoints of the console, served by the PF process itself so they see the live engine
// state (see DECISIONS.md D-004).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ApiRoute = (req: IncomingMessage, url: URL) => Promise<unknown>;

export function apiHandler(routes: Record<string, ApiRoute>) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return false;
    try {
      const body = await route(req, url);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: (err as Error).message }));
    }
    return true;
  };
}
