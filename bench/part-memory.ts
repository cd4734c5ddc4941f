// `npm run bench -- memory`: resident size with one million cached IMDN message-ids (the engine's
// ImdnCache, as the PF holds it), in a fresh child process, RSS after a full GC before and after.
import { spawn } from 'node:child_process';

const N = Number(process.env.BENCH_CACHE_ENTRIES || 1_000_000);

export async function run() {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/cache-memory-child.ts', String(N)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`the cache child failed (${code}): ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    entries: number;
    before: { rssMiB: number };
    after: { rssMiB: number; heapUsedMiB: number };
    deltaRssMiB: number;
    bytesPerEntry: number;
    putsPerSec: number;
  };
  return {
    summary: [
      `${r.entries.toLocaleString('en')} cached ids: RSS ${r.before.rssMiB} → ${r.after.rssMiB} MiB (+${r.deltaRssMiB} MiB, ${r.bytesPerEntry} B/entry; heap used ${r.after.heapUsedMiB} MiB); target < 300 MB`,
      `insert rate ${r.putsPerSec.toLocaleString('en')} CACHE_PUTs/s (one core, no other work)`,
    ],
    data: r as unknown as Record<string, unknown>,
  };
}
