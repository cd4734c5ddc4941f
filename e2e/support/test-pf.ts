// Starts the real PF (edge, srf, engine, store) in this process on free loopback ports with a
// throwaway SQLite file, for SIP tests that do not need the console.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { setLogLevel } from '../../server/log';
import { startPf, type Pf } from '../../server/pf';
import { freePort } from './ports';

export async function startTestPf(env: Record<string, string> = {}): Promise<Pf> {
  setLogLevel('warn');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-'));
  const config = loadConfig({
    SIP_PORT: String(await freePort()),
    HTTP_PORT: '0',
    DATABASE_URL: `file:${path.join(dir, 'pf.db')}`,
    // the suites send MESSAGEs from SIPp and raw sockets no topology knows (D-134); trust tests set peers
    PF_TRUST: 'open',
    ...env,
  });
  return startPf(config);
}
