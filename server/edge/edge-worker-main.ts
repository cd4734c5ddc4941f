// The embedded edge on a worker thread of its own (PF_EDGE_THREAD=on, D-285). SIP parsing,
// transactions, retransmissions and the wire observers (metrics tally, pcap capture ring, HEP)
// run here; the main thread keeps srf, the engine and the store, and reaches the edge over the
// control protocol on loopback exactly as it reaches an embedded edge on its own thread or a
// drachtio-server. What crosses to the main thread is small and periodic: the edge's counters,
// the wire tally, warnings, and the captured messages of a session when a console asks for them.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { HepTarget } from '../config';
import { CaptureRing } from '../capture/capture-ring';
import { HepExporter } from '../capture/hep-exporter';
import type { WireMessage } from '../capture/wire';
import type { OverloadLimits } from '../sip/trust/overload';
import { OverloadGate } from '../sip/trust/overload-gate';
import { startEdge, type EdgeOptions, type EdgeStats } from './index';
import { tallyKey, type WireTally } from './wire-tally';

export interface EdgeWorkerData {
  sip: EdgeOptions['sip'];
  control: EdgeOptions['control'];
  timers?: EdgeOptions['timers'];
  overload: OverloadLimits;
  /** the main thread's event-loop lag in µs at index 0 (startLagMeter's publish) */
  lag: SharedArrayBuffer;
  captureMaxBytes: number;
  hep?: { target: HepTarget; captureId: number; nodeName: string };
  /** how often the counters and the tally go to the main thread */
  reportMs: number;
  /** the edge's end of the in-process control link to srf on the main thread (D-297) */
  link?: MessagePort;
  /** the edge's end of the MESSAGE link to the PF on the main thread (D-341) */
  messageLink?: MessagePort;
}

/** the main thread's requests */
export type ToEdgeWorker = { op: 'close' } | { op: 'capture'; id: number; callIds: string[] } | { op: 'report'; id: number };

export type FromEdgeWorker =
  | { op: 'ready'; sip: { host: string; port: number }; control: { host: string; port: number } }
  | { op: 'failed'; error: string }
  | { op: 'report'; id?: number; stats: EdgeStats; wire: WireTally; hep?: { sent: number; dropped: number } }
  | { op: 'warn'; line: string }
  | { op: 'capture'; id: number; messages: WireMessage[] }
  | { op: 'closed' };

export async function runEdgeWorker(): Promise<void> {
  const port = parentPort!;
  const data = workerData as EdgeWorkerData;
  const send = (m: FromEdgeWorker) => port.postMessage(m);
  const lag = new Int32Array(data.lag);
  const gate = new OverloadGate(data.overload);
  const admit: EdgeOptions['admit'] = (req) => {
    const v = gate.verdict(req, { lagMs: Atomics.load(lag, 0) / 1000, pending: req.pending, waiting: req.waiting });
    return v.admit ? undefined : { status: v.status, reason: 'Service Unavailable', headers: { 'Retry-After': String(v.retryAfterSec) }, tally: v.reason };
  };
  let edge: Awaited<ReturnType<typeof startEdge>>;
  try {
    edge = await startEdge({ sip: data.sip, control: data.control, timers: data.timers, admit, warn: (line) => send({ op: 'warn', line }) });
  } catch (e) {
    send({ op: 'failed', error: (e as Error).message ?? String(e) });
    port.close();
    return;
  }
  if (data.link) edge.acceptLink(data.link);
  if (data.messageLink) edge.acceptMessageLink(data.messageLink);
  const tally = new Map<string, number>();
  edge.tap((m) => {
    const key = tallyKey(m);
    if (key !== undefined) tally.set(key, (tally.get(key) ?? 0) + 1);
  });
  const capture = data.captureMaxBytes > 0 ? new CaptureRing(data.captureMaxBytes) : undefined;
  if (capture) edge.tap(capture.tap);
  const hep = data.hep ? new HepExporter({ ...data.hep, warn: (line) => send({ op: 'warn', line }) }) : undefined;
  if (hep) edge.tap(hep.tap);
  const report = (id?: number) => {
    const wire: WireTally = [...tally];
    tally.clear();
    send({ op: 'report', id, stats: edge.stats(), wire, hep: hep ? { ...hep.counts } : undefined });
  };
  const timer = setInterval(() => report(), data.reportMs);
  port.on('message', (m: ToEdgeWorker) => {
    if (m.op === 'report') report(m.id);
    else if (m.op === 'capture') send({ op: 'capture', id: m.id, messages: capture ? capture.of(m.callIds) : [] });
    else if (m.op === 'close') {
      clearInterval(timer);
      void (async () => {
        await edge.close();
        await hep?.close();
        report();
        send({ op: 'closed' });
        port.close();
      })();
    }
  });
  send({ op: 'ready', sip: edge.sipAddress, control: edge.controlAddress });
}
