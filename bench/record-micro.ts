// The recording's own CPU per MESSAGE, without SIP or the database (a guide between the record
// bench's noisy whole-process figures): the engine calls one forwarded IMDN MESSAGE makes
// (dispatch, IMDN-RX, IMDN-DLV, the fork's outcome), with the objects shared between them as the
// shell shares them, run straight and through the recording seam into the store's recorder (whose
// deflate stream runs; its database write is a no-op). Process CPU (thread pool included).
// `node --import tsx bench/record-micro.ts [messages]`
import { directEngine, recordingEngine, type EngineCalls } from '../server/sip/engine-calls';
import { EngineRecorder } from '../server/store/engine-recording';
import type { Db } from '../server/store/database';
import { DEFAULT_POLICY } from '../server/engine/policy';
import { ImdnCache } from '../server/engine/imdn/cache';
import type { SipMessageView } from '../server/engine/message';
import { viewOnly } from '../server/sip/message-view';

const N = Number(process.argv[2] || 20_000);
const prefs = { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' as const };

// built as the shell builds a request's view: parsed from the SIP text (viewOnly), which the
// recording then writes as that text (D-298)
function view(i: number): SipMessageView {
  const body = `From: <sip:bob@example.com>\r\nTo: <sip:u0@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n${i}x1\r\nDateTime: 2026-11-23T10:00:00Z\r\n\r\nContent-Type: message/imdn+xml; charset=utf-8\r\nContent-Disposition: notification\r\n\r\n<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">\r\n<message-id>k0p${i}</message-id>\r\n<datetime>2026-11-23T09:59:00Z</datetime>\r\n<recipient-uri>sip:bob@example.com</recipient-uri>\r\n<delivery-notification><status><delivered/></status></delivery-notification>\r\n</imdn>\r\n`;
  const head = [
    'MESSAGE sip:u0@example.com SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:33643;branch=z9hG4bK-27413-${i}-0`,
    'From: <sip:bob@example.com>;tag=27413b1',
    'To: <sip:u0@example.com>',
    `Call-ID: ${i}-27413@127.0.0.1`,
    'CSeq: 1 MESSAGE',
    'Max-Forwards: 70',
    'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"',
    'P-Asserted-Service: urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg',
    'Content-Type: message/cpim',
    `Content-Length: ${body.length}`,
  ];
  // one string, as the edge hands srf a message (flat, not a concatenation tree)
  return viewOnly(Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1').toString('latin1'));
}

function message(engine: EngineCalls, cache: ImdnCache, i: number): void {
  const request = view(i);
  const policy = DEFAULT_POLICY;
  const txn = `${i}|1 MESSAGE`;
  engine.call('dispatch', { request, policy, txn });
  const servedUser = 'sip:u0@example.com';
  const rx = engine.call('receiveImdn', { servedUser, message: request, cache, messageIndex: () => undefined, session: () => undefined, policy, now: 1_000 + i, txn });
  const dlv = engine.call('deliverImdn', { deliveryId: `imdn:${i}`, servedUser, txn, message: request, parts: rx.forward, registrations: [{ contact: 'sip:u0@127.0.0.1:40403', icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg', 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session'], imdnAggregation: false, userAgent: 'CPM-client/OMA2.2 bench-sipp' }], prefs, policy, now: 1_000 + i, buffers: {} });
  const d = dlv.delivery!;
  engine.call('imdnForkOutcome', { delivery: d, forkId: d.forks[0].id, code: 200, prefs, policy, locator: { folderOfOriginal: () => undefined, conversationFolder: () => undefined }, now: 1_001 + i });
}

async function measure(label: string, engine: EngineCalls, after?: () => Promise<void>): Promise<number> {
  const cache = new ImdnCache({ name: 'RX', ttlSec: 300 });
  for (let i = 0; i < 2_000; i++) message(engine, cache, -i - 1); // warm-up
  await after?.();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    message(engine, cache, i);
    if (i % 4 === 0) await new Promise((r) => setImmediate(r)); // let the deflate stream run, as between requests
  }
  await after?.();
  const c = process.cpuUsage(c0);
  const us = (c.user + c.system) / N;
  console.log(`${label}: ${us.toFixed(1)} µs CPU per MESSAGE`);
  return us;
}

const db = { engineRecording: { create: async () => ({}) } } as unknown as Db;
const recorder = new EngineRecorder(db);
const off1 = await measure('straight', directEngine);
const on1 = await measure('recorded', recordingEngine(recorder, () => 0), () => recorder.flush());
const off2 = await measure('straight', directEngine);
const on2 = await measure('recorded', recordingEngine(recorder, () => 0), () => recorder.flush());
console.log(`recording: +${((on1 + on2) / 2 - (off1 + off2) / 2).toFixed(1)} µs per forwarded MESSAGE`);
