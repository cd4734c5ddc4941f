// GET /api/sessions/:id/pcap: the SIP messages of a session's ladder (its legs' Call-IDs) as the
// edge captured them, as a pcap file (server/capture/pcap.ts). Behind the sign-in gate like every
// /api path; binary, so not a JSON route of api.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writePcap } from '../capture/pcap';
import type { Pf } from '../pf';
import { HttpError } from './http-error';
import { sessionDetail } from './queries/sessions';
import { registeredServices } from '../live/console-services';

const PATH = /^\/api\/sessions\/([^/]+)\/pcap$/;

function sendError(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error }));
}

export function captureRoutes(pf: Pf) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const m = PATH.exec(url.pathname);
    if (!m) return false;
    if (req.method !== 'GET') {
      sendError(res, 405, `${req.method} is not allowed on ${url.pathname}`);
      return true;
    }
    let id: string;
    try {
      id = decodeURIComponent(m[1]);
    } catch {
      sendError(res, 400, 'the path is not valid percent-encoding');
      return true;
    }
    if (!pf.capture) {
      sendError(res, 404, pf.edge ? 'the capture is off (PF_CAPTURE_MAX_BYTES=0)' : 'no capture: SIP goes through an external drachtio-server, capture there');
      return true;
    }
    try {
      const session = await sessionDetail(pf.db.store, id);
      // the ladder's messages: the legs' Call-IDs and any the SIP trace tied to the session
      const callIds = new Set(session.legsList.map((l) => l.callId));
      for (const t of registeredServices(pf.bus)?.trace.of(session.id, [...callIds]) ?? []) if (t.callId) callIds.add(t.callId);
      const messages = await pf.capture.of(callIds);
      if (!messages.length) {
        sendError(res, 404, `no SIP message of session ${id} is held any more (the capture keeps the newest ${Math.round(pf.config.observe.captureMaxBytes / 1048576)} MiB)`);
        return true;
      }
      const file = writePcap(messages);
      res.writeHead(200, {
        'content-type': 'application/vnd.tcpdump.pcap',
        'content-disposition': `attachment; filename="session-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.pcap"`,
        'content-length': String(file.length),
        'cache-control': 'no-store',
      });
      res.end(file);
    } catch (err) {
      if (err instanceof HttpError) sendError(res, err.status, err.message);
      else throw err;
    }
    return true;
  };
}
