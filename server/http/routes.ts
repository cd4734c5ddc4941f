// The console's JSON API: `METHOD /path` → handler. Handlers get the running PF, so what they
// show is the live engine state and what they change takes effect at once.
import type { Pf } from '../pf';
import type { ApiRoute } from './api';

export function consoleRoutes(pf: Pf): Record<string, ApiRoute> {
  return {
    'GET /api/health': async () => ({
      sip: { ...pf.sipAddress, embeddedEdge: Boolean(pf.edge), edge: pf.edge?.stats() },
      database: pf.db.provider,
      registrations: pf.registrar.count(Date.now()),
    }),
  };
}
