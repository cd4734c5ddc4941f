// The console's HTTP request listener: gate (sign-in, roles, CSRF) → JSON API → 404 for unknown
// API paths → Next.js pages. A request whose Host header or target does not parse is answered
// 400 here (new URL() throws on "Host: [": issue 18), and a stage that fails answers 500 rather
// than leaving the connection open.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiNotFound } from './api';

export interface ConsoleStages {
  gate(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  render(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  log(line: string): void;
}

/** The request's URL, or undefined when its Host or target is not a valid URL part. */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const host = req.headers.host ?? 'localhost';
  try {
    const url = new URL(req.url ?? '/', `http://${host}`);
    // "Host: a/b" or "a?b" would parse with part of it moved into the path or query
    if (url.host !== host.toLowerCase() && `${url.hostname}` !== host.toLowerCase()) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(text);
}

export function consoleRequestHandler(stages: ConsoleStages): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = requestUrl(req);
    if (!url) {
      answer(res, 400, 'bad request: the Host header or request target is not valid\n');
      return;
    }
    void (async () => {
      if (await stages.gate(req, res, url)) return;
      if (await stages.api(req, res, url)) return;
      if (!apiNotFound(res, url)) await stages.render(req, res);
    })().catch((err: Error) => {
      stages.log(`${req.method} ${url.pathname}: ${err.message}`);
      answer(res, 500, 'internal error\n');
    });
  };
}
