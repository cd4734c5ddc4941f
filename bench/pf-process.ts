// The PF as its own process for benchmarks (so its CPU and memory can be read from /proc): the
// same startPf as the tests, configured by the environment (server/config.ts). With BENCH_API=1 it
// also serves the console's JSON API (server/http/routes.ts) on a free port, without Next.js.
// With BENCH_CPU_PROF_DIR set, SIGUSR2 starts the V8 CPU profiler (what node --cpu-prof records,
// minus the start-up) and the stop writes pf.cpuprofile there. With BENCH_HEAP_PROF_DIR set,
// SIGUSR2 starts V8's sampling heap profiler instead, counting objects the GC has already
// collected too (what was allocated, not what is alive), and the stop writes pf.heapprofile.
// Prints one line `BENCH_READY {"sipPort":…,"apiPort":…}` when it answers; stops on SIGTERM.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { loadConfig } from '../server/config';
import { apiHandler } from '../server/http/api';
import { consoleRoutes } from '../server/http/routes';
import { setLogLevel } from '../server/log';
import { startPf } from '../server/pf';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const pf = await startPf(config);
  let http: Server | undefined;
  let apiPort: number | undefined;
  if (process.env.BENCH_API === '1') {
    const api = apiHandler(consoleRoutes(pf));
    http = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      void api(req, res, url).then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
    apiPort = (http.address() as { port: number }).port;
  }
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const profiler = profDir ? new Session() : undefined;
  let profiling = false;
  if (profiler) {
    profiler.connect();
    process.on('SIGUSR2', () => {
      if (profiling) return;
      profiling = true;
      void profiler.post('Profiler.enable').then(() => profiler.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROF_INTERVAL_US || 1000) })).then(() => profiler.post('Profiler.start'));
    });
  }
  const heapDir = process.env.BENCH_HEAP_PROF_DIR;
  const heap = heapDir ? new Session() : undefined;
  let sampling = false;
  if (heap) {
    heap.connect();
    process.on('SIGUSR2', () => {
      if (sampling) return;
      sampling = true;
      void heap
        .post('HeapProfiler.enable')
        .then(() => heap.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }));
    });
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (profiler && profiling && profDir) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(path.join(profDir, 'pf.cpuprofile'), JSON.stringify(profile));
    }
    if (heap && sampling && heapDir) {
      const { profile } = await heap.post('HeapProfiler.stopSampling');
      writeFileSync(path.join(heapDir, 'pf.heapprofile'), JSON.stringify(profile));
    }
    http?.close();
    await pf.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write(`BENCH_READY ${JSON.stringify({ sipPort: pf.sipAddress.port, apiPort })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
