// A PF of its own for `npm run demo -- --embedded` and the flow tests: the real PF (edge, srf,
// engine, store) on ephemeral loopback ports with a throwaway SQLite file, plus the console's JSON
// API and socket.io stream (without the Next.js pages, which flows do not need).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { apiHandler } from '../http/api';
import { requestUrl } from '../http/console-handler';
import { consoleRoutes } from '../http/routes';
import { attachGateway } from '../live/gateway';
import { startPf, type Pf } from '../pf';
import { demoRoutes } from '../http/demo-routes';

export interface EmbeddedPf {
  pf: Pf;
  sip: { host: string; port: number };
  consoleUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPf(env: Record<string, string> = {}): Promise<EmbeddedPf> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-demo-'));
  // The demo peers speak UDP; with one transport, port 0 gives one ephemeral port for SIP.
  const config = loadConfig({ ...process.env, SIP_HOST: '127.0.0.1', SIP_PORT: '0', SIP_TRANSPORTS: 'udp', HTTP_PORT: '0', DATABASE_URL: `file:${path.join(dir, 'pf.db')}`, ...env });
  const pf = await startPf(config);
  const api = apiHandler({ ...consoleRoutes(pf), ...demoRoutes(pf) });
  const http = createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400).end();
      return;
    }
    void api(req, res, url).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  const io = attachGateway(http, pf.bus, pf.decisions);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  const port = (http.address() as { port: number }).port;
  return {
    pf,
    sip: pf.sipAddress,
    consoleUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await io.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await pf.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
