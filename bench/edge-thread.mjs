// An experiment of issue 17 (docs/BENCHMARKS.md): the embedded SIP edge in a worker thread of the
// PF's process, which srf reaches over the control protocol as it would a drachtio-server. Only
// the bench starts it (BENCH_EDGE_THREAD=1 in bench/pf-process.ts); the product does not. No
// overload control and no wire taps in the thread: it measures what the main thread would be
// spared, not a finished design.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { startEdge } = await tsImport('../server/edge/index.ts', import.meta.url);
const edge = await startEdge({
  sip: { host: workerData.host, port: workerData.port, transports: workerData.transports },
  control: { host: '127.0.0.1', port: 0, secret: workerData.secret },
});
parentPort.postMessage({ sip: edge.sipAddress, control: edge.controlAddress });
parentPort.on('message', async (m) => {
  if (m === 'close') {
    await edge.close();
    parentPort.close();
  }
});
