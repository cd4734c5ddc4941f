// `node --import tsx bench/search-hold.ts`: how long the console's decision searches hold the
// event loop (D-322). Seeds N (200,000) decisions into a store under BENCH_SEARCH_DIR (default a
// new temporary directory; give one to reuse its store), then runs each search twice and prints
// its time and the longest gap of a 1 ms timer meanwhile: the SIP work the PF could not do.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../server/store/database';
import { searchDecisions } from '../server/store/decision-search';
import { seedStore } from './seed-store';

const dir = process.env.BENCH_SEARCH_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'bench-search-'));
const file = path.join(dir, 'search.db');
const url = `file:${file}`;
const N = Number(process.env.N || 200_000);
if (!existsSync(file)) console.log('seeded', await seedStore(url, N));
const db = await openDatabase(url);
for (const f of [{ procedure: 'IMDN-TX' }, { outcome: 'DROP' }, { branch: 'IMDN-RX-3' }, {}, { disposition: 'display' }, { user: 'u3' }, { messageId: 'seed-17' }]) {
  for (let rep = 0; rep < 2; rep++) {
    let last = performance.now();
    let maxGap = 0;
    const t = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 1);
    const t0 = performance.now();
    const r = await searchDecisions(db.store, f, 200);
    const ms = performance.now() - t0;
    clearInterval(t);
    maxGap = Math.max(maxGap, performance.now() - last);
    console.log(JSON.stringify(f), `found ${r.decisions.length}, total ${r.total}, ${ms.toFixed(0)} ms, longest gap ${maxGap.toFixed(0)} ms`);
  }
}
await db.close();
