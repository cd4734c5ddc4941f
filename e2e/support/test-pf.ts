// Starts the real PF (edge, srf, engine, store) in this process on free loopback ports with a
// throwaway SQLite file, for SIP tests that do not need the console.
//
// Every such PF records its engine calls (D-240), and its stop() replays them all: a call whose
// replay differs from its record fails the test that drove it (a determinism bug, issue 20), so
// every SIP test also checks replay equality over the traffic it made.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { checkReplay } from '../../server/engine/replay/replay';
import { setLogLevel } from '../../server/log';
import { startPf, type Pf } from '../../server/pf';
import { openDatabase } from '../../server/store/database';
import { recordedCalls } from '../../server/store/engine-recording';
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
    // Overload control sheds by event-loop lag too (D-150). Two test files share the two cores
    // (D-314), and a PF compiling its first requests' code there can block its loop for over the
    // 300 ms default: a REGISTER then gets 503 and a test about something else fails. The lag
    // trigger is set above what a busy test machine shows; the pending-requests bound stays, and
    // e2e/faults/overload.sip.test.ts tests overload control with its own settings.
    PF_OVERLOAD_MAX_LAG_MS: '5000',
    // the whole suite can run with the edge on the main thread or on its own (PF_EDGE_THREAD=off|on, D-285)
    ...(process.env.PF_EDGE_THREAD ? { PF_EDGE_THREAD: process.env.PF_EDGE_THREAD } : {}),
    // … and with MESSAGEs over the MESSAGE link or through srf (PF_MESSAGE_LINK=on|off, D-341)
    ...(process.env.PF_MESSAGE_LINK ? { PF_MESSAGE_LINK: process.env.PF_MESSAGE_LINK } : {}),
    ...env,
  });
  const pf = await startPf(config);
  const stop = pf.stop.bind(pf);
  // checked after the stop, from the database file: the stop is not delayed (tests time it), and
  // what the PF decided while shutting down is checked too (the recorder writes it on close)
  pf.stop = async () => {
    await stop();
    if (!pf.recorder) return;
    const db = await openDatabase(config.databaseUrl);
    try {
      const calls = await recordedCalls(db.store, new Date(0), new Date(8.64e15));
      const { mismatches } = checkReplay(calls);
      if (mismatches.length) {
        throw new Error(`REPLAY-EQ: ${mismatches.length} of ${calls.length} recorded engine call(s) replay differently (a determinism bug):\n${mismatches.slice(0, 5).map((m) => JSON.stringify(m)).join('\n')}`);
      }
    } finally {
      await db.close();
    }
  };
  return pf;
}
