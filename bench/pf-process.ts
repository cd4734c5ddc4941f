// The PF as its own process for benchmarks (so its CPU and memory can be read from /proc): the
// same startPf as the tests, configured by the environment (server/config.ts), with what
// `npm start` attaches beside it on the request path: the console's JSON API (server/http/routes.ts,
// which registers the console services: the decision rate meter and the SIP trace) and the
// socket.io gateway, on a free port, without Next.js (its pages cost nothing per SIP request).
// BENCH_PF_CONSOLE=0 leaves both out: the PF alone, as the bench measured it before.
// With BENCH_CPU_PROF_DIR set, SIGUSR2 starts the V8 CPU profiler (what node --cpu-prof records,
// minus the start-up) and the stop writes pf.cpuprofile there. With BENCH_HEAP_PROF_DIR set,
// SIGUSR2 starts V8's sampling heap profiler instead, counting objects the GC has already
// collected too (what was allocated, not what is alive), and the stop writes pf.heapprofile.
// BENCH_HEAP_PROF_MINOR=0 leaves out what died young (in a scavenge): what is left is what the
// young generation promoted, the old generation's garbage and the mark-compacts' work.
// BENCH_PF_STALLS=<ms> logs the main thread's event-loop gaps longer than that (bench/stall-log.ts).
// With BENCH_HEAP_SNAPSHOT_DIR set (and neither profiler), each SIGUSR2 writes a heap snapshot of
// the main isolate there (main-1.heapsnapshot, main-2…): two taken a minute apart under load show
// what the heap keeps (the sampling profiler shows what it allocates).
// Prints one line `BENCH_READY {"sipPort":…,"apiPort":…,"niceRefused"?:…}` when it answers; stops on SIGTERM.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '../server/config';
import { apiHandler } from '../server/http/api';
import { overview } from '../server/http/queries/overview';
import { consoleRoutes } from '../server/http/routes';
import { consoleServices } from '../server/live/console-services';
import { attachGateway } from '../server/live/gateway';
import { setLogLevel } from '../server/log';
import { startPf } from '../server/pf';
import { lowerBackgroundThreads } from '../server/background-threads';
import { logStalls } from './stall-log';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  // as server/index.ts does, before any thread of ours (D-335); refusals are reported with BENCH_READY
  const background = lowerBackgroundThreads(config.backgroundNice);
  const pf = await startPf(config);
  let http: Server | undefined;
  let io: ReturnType<typeof attachGateway> | undefined;
  let apiPort: number | undefined;
  if (process.env.BENCH_PF_CONSOLE !== '0') {
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
    io = attachGateway(http, pf.bus, pf.decisions, () => overview(pf, consoleServices(pf.bus, pf.db.store)));
    await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
    apiPort = (http.address() as { port: number }).port;
  }
  // One profiler, chosen by the environment: started by the first SIGUSR2, written by the stop.
  const cpuDir = process.env.BENCH_CPU_PROF_DIR;
  const heapDir = process.env.BENCH_HEAP_PROF_DIR;
  const profiler = cpuDir
    ? {
        dir: cpuDir,
        file: 'pf.cpuprofile',
        start: (s: Session) => s.post('Profiler.enable').then(() => s.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROF_INTERVAL_US || 1000) })).then(() => s.post('Profiler.start')),
        stop: (s: Session) => s.post('Profiler.stop'),
      }
    : heapDir
      ? {
          dir: heapDir,
          file: 'pf.heapprofile',
          start: (s: Session) => s.post('HeapProfiler.enable').then(() => s.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROF_MINOR !== '0' })),
          stop: (s: Session) => s.post('HeapProfiler.stopSampling'),
        }
      : undefined;
  const session = profiler ? new Session() : undefined;
  let profiling = false;
  if (profiler && session) {
    session.connect();
    process.on('SIGUSR2', () => {
      if (profiling) return;
      profiling = true;
      void profiler.start(session);
    });
  }
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  if (!profiler && snapshotDir) {
    let taken = 0;
    process.on('SIGUSR2', () => {
      taken++;
      const file = writeHeapSnapshot(path.join(snapshotDir, `main-${taken}.heapsnapshot`));
      process.stderr.write(`heap snapshot ${file}\n`);
    });
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (profiler && session && profiling) {
      const { profile } = (await profiler.stop(session)) as { profile: unknown };
      writeFileSync(path.join(profiler.dir, profiler.file), JSON.stringify(profile));
    }
    io?.close();
    http?.close();
    await pf.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (process.env.BENCH_PF_STALLS) logStalls(Number(process.env.BENCH_PF_STALLS));
  process.stdout.write(`BENCH_READY ${JSON.stringify({ sipPort: pf.sipAddress.port, apiPort, niceRefused: background.refused.length ? background.refused[0].why : undefined })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
