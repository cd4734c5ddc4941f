// `npm run bench -- store`: 100,000 stored decisions and 100,000 stored objects in a throwaway
// SQLite database, read the way the console reads them: through the console's JSON API
// (server/http/routes.ts, served by the PF process) where a route exists, else through the same
// Prisma queries. Each figure is the median of 5 requests after one warm-up.
import path from 'node:path';
import { openDatabase } from '../server/store/database';
import { startPfChild } from './pf-child';
import { removeScratch, scratchDir } from './scratch-dir';
import { seedStore, STORE_USERS } from './seed-store';
import { timeMedian } from './stats';
import { searchObjects } from '../server/store/message-store';

const N = Number(process.env.BENCH_STORE_ROWS || 100_000);
const RUNS = 5;

interface Timed {
  what: string;
  via: string;
  medianMs: number;
  runsMs: number[];
  coldMs: number;
  rows?: number;
  bytes?: number;
}

export async function run() {
  const dir = scratchDir('bench-store');
  const databaseUrl = `file:${path.join(dir, 'store.db')}`;
  process.stderr.write(`seeding ${N} decisions and ${N} stored objects…\n`);
  const seeded = await seedStore(databaseUrl, N);
  process.stderr.write(`  seeded in ${seeded.seedSeconds} s\n`);

  const results: Timed[] = [];
  const pf = await startPfChild({ databaseUrl, env: { SEED_USERS: STORE_USERS.join(',') } });
  try {
    const base = `http://127.0.0.1:${pf.apiPort}`;
    const api = async (what: string, p: string, count: (j: any) => number) => {
      let rows = 0;
      let bytes = 0;
      const once = async () => {
        const r = await fetch(base + p);
        const text = await r.text();
        if (!r.ok) throw new Error(`GET ${p}: ${r.status} ${text.slice(0, 300)}`);
        bytes = text.length;
        rows = count(JSON.parse(text));
      };
      const cold = await timeMedian(1, once);
      const t = await timeMedian(RUNS, once);
      results.push({ what, via: `API GET ${p}`, ...t, coldMs: cold.medianMs, rows, bytes });
      process.stderr.write(`  ${what}: ${t.medianMs} ms (cold ${cold.medianMs} ms, ${rows} rows, ${bytes} bytes)\n`);
    };
    const decisions = (j: { decisions: unknown[] }) => j.decisions.length;
    await api('decisions: first page (newest 200, with total)', '/api/decisions', decisions);
    await api('decisions: search by message-id (indexed)', `/api/decisions?messageId=seed-${Math.floor(N / 4)}`, decisions);
    await api('decisions: search by served user (contains)', '/api/decisions?user=u7', decisions);
    await api('decisions: search by branch prefix', '/api/decisions?branch=IMDN-RX-2a', decisions);
    await api('decisions: search with no match', '/api/decisions?messageId=absent', decisions);
    const objects = (j: { folders: { objects: unknown[] }[] }) => j.folders.reduce((n, f) => n + f.objects.length, 0);
    await api('stored objects: one user\'s Message Store page', `/api/store/${encodeURIComponent('sip:u3@example.com')}`, objects);
  } finally {
    await pf.stop();
  }

  // The store has no search route: the store's search, the query the API would make.
  const db = await openDatabase(databaseUrl);
  try {
    const prismaTimed = async (what: string, via: string, q: () => Promise<unknown[]>) => {
      let rows = 0;
      const cold = await timeMedian(1, async () => (rows = (await q()).length));
      const t = await timeMedian(RUNS, async () => (rows = (await q()).length));
      results.push({ what, via, ...t, coldMs: cold.medianMs, rows });
      process.stderr.write(`  ${what}: ${t.medianMs} ms (cold ${cold.medianMs} ms, ${rows} rows)\n`);
    };
    const store = db.store;
    await prismaTimed('stored objects: first page, newest 50 of all', 'store searchObjects (findMany orderBy createdAt desc take 50)', () => searchObjects(store, {}));
    await prismaTimed('stored objects: search by IMDN message-id (indexed)', 'store searchObjects imdnMessageId (findMany where imdnMessageId)', () => searchObjects(store, { imdnMessageId: `obj-${Math.floor(N / 3)}` }));
    await prismaTimed('stored objects: full-text search in bodies (contains)', 'store searchObjects bodyContains (findMany where body contains, take 50)', () => searchObjects(store, { bodyContains: `hello ${N - 2},` }));
  } finally {
    await db.close();
    removeScratch(dir);
  }
  const first = results[0];
  return {
    summary: [
      `seeded ${N.toLocaleString('en')} decisions + ${N.toLocaleString('en')} stored objects in ${seeded.seedSeconds} s`,
      ...results.map((r) => `${r.what}: ${r.medianMs} ms median (cold ${r.coldMs} ms${r.rows !== undefined ? `, ${r.rows} rows` : ''}) via ${r.via}`),
      `first page of ${N.toLocaleString('en')} decisions: ${first.medianMs} ms (target < 1000 ms)`,
    ],
    data: { rows: N, seedSeconds: seeded.seedSeconds, results },
  };
}
