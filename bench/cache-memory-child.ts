// Child process of the memory bench (run with --expose-gc): resident size of the engine's
// ImdnCache holding N message-ids. Prints one JSON line.
import { ImdnCache } from '../server/engine/imdn/cache';
import type { Effect } from '../server/engine/effects';

const N = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

function settle() {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed) };
}

const cache = new ImdnCache({ name: 'RX', ttlSec: 604800, maxEntries: N });
const before = settle();
const t = process.hrtime.bigint();
const now = Date.now();
for (let i = 0; i < N; i++) {
  // realistic keys: 10,000 served users, 50,000 peers, message-ids like a client's (≈ 24 chars)
  const e: Effect = {
    kind: 'CACHE_PUT',
    cache: 'RX',
    key: { servedUser: `sip:user${i % 10_000}@example.com`, peer: `sip:peer${i % 50_000}@example.net`, messageId: `Msg-${(i * 2654435761 >>> 0).toString(36)}-${i.toString(36)}` },
    type: 'delivery',
    status: 'delivered',
  };
  cache.apply(e, now);
}
const insertMs = Number(process.hrtime.bigint() - t) / 1e6;
const after = settle();
process.stdout.write(
  JSON.stringify({
    entries: cache.size,
    before,
    after,
    deltaRssMiB: Math.round((after.rssMiB - before.rssMiB) * 10) / 10,
    bytesPerEntry: Math.round(((after.rssMiB - before.rssMiB) * 2 ** 20) / N),
    insertMs: Math.round(insertMs),
    putsPerSec: Math.round(N / (insertMs / 1000)),
  }) + '\n',
);
