// Entry of the edge's worker thread (D-285): a worker does not get the TypeScript loader of the
// main thread, so this plain module loads the TypeScript side with tsx's API.
import { tsImport } from 'tsx/esm/api';

const { runEdgeWorker } = await tsImport('./edge-worker-main.ts', import.meta.url);
await runEdgeWorker();
