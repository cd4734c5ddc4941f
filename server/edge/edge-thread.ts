// The main thread's side of the edge on a worker thread (PF_EDGE_THREAD=on, D-285): starts the
// worker (edge-worker.mjs → edge-worker-main.ts), and keeps what the PF reads of the edge
// synchronously (its counters, HEP's counts) from the worker's periodic reports.
import type net from 'node:net';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { LinkSocket } from './link-socket';
import type { WireMessage } from '../capture/wire';
import type { EdgeStats } from './index';
import type { EdgeWorkerData, FromEdgeWorker, ToEdgeWorker } from './edge-worker-main';
import type { WireTally } from './wire-tally';

export interface EdgeThreadOptions extends Omit<EdgeWorkerData, 'reportMs' | 'link' | 'messageLink'> {
  /** srf reaches the edge over an in-process link (D-297) instead of the control port */
  link?: boolean;
  /** MESSAGEs outside a dialog go to the PF over a MESSAGE link (D-341) instead of srf */
  messageLink?: boolean;
  /** what the worker's wire observer counted since its last report */
  onWire(tally: WireTally): void;
  warn(line: string): void;
  reportMs?: number;
}

export interface ThreadEdge {
  sipAddress: { host: string; port: number };
  controlAddress: { host: string; port: number };
  /** the app's end of the in-process control link (D-297), when asked for at start; once */
  link?: () => net.Socket;
  /** the PF's end of the MESSAGE link (D-341), when asked for at start */
  messageLink?: MessagePort;
  /** the edge's counters at its last report (every reportMs) */
  stats(): EdgeStats;
  /** asks for a report now: stats(), the HEP counts and the wire tally are then up to date */
  refresh(): Promise<void>;
  hepCounts(): { sent: number; dropped: number } | undefined;
  /** the captured messages of these Call-IDs, when the capture is on */
  capture?: { of(callIds: Iterable<string>): Promise<WireMessage[]> };
  close(): Promise<void>;
}

const WORKER = new URL('./edge-worker.mjs', import.meta.url);
/**
 * The edge thread's young generation (V8's default is 32 MB, all of it resident under load). What
 * the edge allocates per message is garbage by the end of the turn, and what lives on (the
 * transactions) outlives any young generation: 8 MB took 30–60 MB off the PF's RSS at 3,000
 * MESSAGEs/s with no change in CPU (D-304).
 */
const YOUNG_GENERATION_MB = 8;
/** a capture request the worker does not answer in this time fails (a stuck thread, not a slow one) */
const ASK_TIMEOUT_MS = 5000;

export function startEdgeThread(opts: EdgeThreadOptions): Promise<ThreadEdge> {
  const { onWire, warn, reportMs = 100, link, messageLink, ...rest } = opts;
  const channel = link ? new MessageChannel() : undefined;
  const messages = messageLink ? new MessageChannel() : undefined;
  const data: EdgeWorkerData = { ...rest, reportMs, ...(channel ? { link: channel.port2 } : {}), ...(messages ? { messageLink: messages.port2 } : {}) };
  const transferList = [channel?.port2, messages?.port2].filter((p): p is MessagePort => p !== undefined);
  const worker = new Worker(WORKER, { workerData: data, transferList, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  let linked = false;
  let stats: EdgeStats | undefined;
  let hep: { sent: number; dropped: number } | undefined;
  let nextId = 1;
  const asked = new Map<number, (m: FromEdgeWorker) => void>();
  let closed: Promise<void> | undefined;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', (code) => {
    exited = true;
    // an edge that stops on its own leaves the PF without SIP: say so loudly
    if (!closed) warn(`the edge thread stopped unexpectedly (exit code ${code}): SIP is not served until the PF is restarted`);
    for (const done of asked.values()) done({ op: 'closed' });
    asked.clear();
    resolve();
  }));
  const ask = <T>(m: ToEdgeWorker & { id: number }, read: (reply: FromEdgeWorker) => T): Promise<T> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('the edge thread has stopped'));
      const timer = setTimeout(() => {
        asked.delete(m.id);
        reject(new Error(`the edge thread did not answer in ${ASK_TIMEOUT_MS} ms`));
      }, ASK_TIMEOUT_MS);
      asked.set(m.id, (reply) => {
        clearTimeout(timer);
        if (reply.op === 'closed') reject(new Error('the edge thread has stopped'));
        else resolve(read(reply));
      });
      worker.postMessage(m);
    });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: FromEdgeWorker) => {
      switch (m.op) {
        case 'report':
          stats = m.stats;
          hep = m.hep;
          if (m.wire.length) onWire(m.wire);
          if (m.id !== undefined) {
            asked.get(m.id)?.(m);
            asked.delete(m.id);
          }
          return;
        case 'capture':
          asked.get(m.id)?.(m);
          asked.delete(m.id);
          return;
        case 'warn':
          warn(m.line);
          return;
        case 'failed':
          reject(new Error(m.error));
          return;
        case 'closed':
          return;
        case 'ready':
          worker.off('error', reject);
          worker.on('error', (e) => warn(`edge thread: ${e.message}`));
          resolve({
            sipAddress: m.sip,
            controlAddress: m.control,
            link: channel
              ? () => {
                  if (linked) throw new Error('the in-process control link is already in use');
                  linked = true;
                  return new LinkSocket(channel.port1);
                }
              : undefined,
            messageLink: messages?.port1,
            stats: () => stats ?? emptyStats(),
            refresh: () => ask({ op: 'report', id: nextId++ }, () => undefined),
            hepCounts: () => hep,
            capture: opts.captureMaxBytes > 0
              ? {
                  of: (callIds) =>
                    ask({ op: 'capture', id: nextId++, callIds: [...callIds] }, (reply) =>
                      // the bytes arrive as a Uint8Array: pcap and HEP code reads Buffers
                      reply.op === 'capture' ? reply.messages.map((w) => ({ ...w, bytes: Buffer.from(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength) })) : [],
                    ),
                }
              : undefined,
            close() {
              closed ??= (async () => {
                if (!exited) worker.postMessage({ op: 'close' } satisfies ToEdgeWorker);
                await exit;
              })();
              return closed;
            },
          });
      }
    });
  });
}

function emptyStats(): EdgeStats {
  return { transactions: 0, serverTransactions: 0, clientTransactions: 0, dialogs: 0, apps: 0, appTransactions: 0, tcpConnections: 0, tcpBuffered: 0, tcpRefused: 0, received: 0, sent: 0, badRequests: 0, dropped: 0, overloaded: 0, overloadedBy: {}, appPending: 0, appWaiting: 0, linkedMessages: 0 };
}
