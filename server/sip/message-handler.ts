// MESSAGE: from one of a served user's registered clients it is originating (IMDN-TX, or a
// standalone message on its way out); to a served user it is terminating and goes through DSP to
// IMDN-RX/DLV or the standalone-message contract.
import { bodyText } from '../engine/parse/content-encoding';
import { header, type SipMessageView } from '../engine/message';
import { bindLogUser, type Logger } from '../log';
import { aorOf, parseNameAddr } from './addresses';
import type { EffectRunner } from './effect-runner';
import type { InFlight } from './in-flight';
import { RETRY_AFTER_SEC, StorageUnavailable } from './storage-unavailable';
import { viewHasImdn, type ImdnService } from './imdn/imdn-service';
import { inspectView, viewOfRequest } from './message-view';
import { coreRouteInput, type CoreRouteDeps } from './core-route';
import type { PagerService } from './pager/pager-service';
import type { PfState } from './pf-state';
import type { DecisionSink } from './record-decisions';
import type { Registrar } from './registrar';
import type { Handler, SrfRequest, SrfResponseOut } from './srf-types';

export interface MessageHandlerDeps {
  state: PfState;
  registrar: Registrar;
  runner: EffectRunner;
  imdn: ImdnService;
  pager: PagerService;
  isServed: (aor: string) => boolean;
  inFlight: InFlight;
  record: DecisionSink;
  log: Logger;
  now: () => number;
  /** the PF's own domain and its way toward the SIP/IP core (D-010, D-113) */
  route: CoreRouteDeps;
}

export function messageHandler(deps: MessageHandlerDeps): Handler {
  return (req, res) => {
    if (deps.inFlight.draining) return res.send(503, 'Shutting Down', { headers: { 'Retry-After': RETRY_AFTER_SEC } });
    void deps.inFlight.track(() => handle(deps, req, res)).catch((err: Error) => {
      const unavailable = err instanceof StorageUnavailable;
      deps.log.error(`MESSAGE ${req.get('Call-ID')}: ${unavailable ? err.message : (err.stack ?? err.message)}`);
      deps.runner.release(res);
      if (res.finished) return;
      if (unavailable) res.send(503, 'Service Unavailable', { headers: { 'Retry-After': RETRY_AFTER_SEC } });
      else res.send(500, 'Server Internal Error');
    });
  };
}

async function handle(deps: MessageHandlerDeps, req: SrfRequest, res: SrfResponseOut): Promise<void> {
  const { view, inspection } = inspectView(viewOfRequest(req));
  const now = deps.now();
  const body = deps.state.engine.call('checkBody', { inspection, servedUser: aorOf(req.uri), callId: header(view, 'call-id') });
  if (body.decisions.length) deps.record(body.decisions, { callId: header(view, 'call-id'), now });
  if (body.reject) {
    res.send(body.reject.code, body.reject.reason);
    return;
  }
  const from = parseNameAddr(req.get('From') ?? '');
  const fromAor = from && aorOf(from.uri);
  const source = `${req.protocol}/${req.source_address}:${req.source_port}`;
  if (fromAor && deps.isServed(fromAor) && deps.registrar.isClientSource(fromAor, source, now)) {
    bindLogUser(fromAor);
    return originating(deps, view, fromAor, res);
  }

  const servedUser = aorOf(req.uri);
  const callId = header(view, 'call-id');
  const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
  if (!servedUser || !deps.isServed(servedUser)) {
    // MESSAGE-1 (D-260): not a user this PF serves
    const r = deps.state.engine.call('refuseNotServed', { method: 'MESSAGE', ...(servedUser ? { target: servedUser } : {}), txn, ...(callId !== undefined ? { callId } : {}) });
    deps.record(r.decisions, { callId, now });
    deps.runner.hold(txn, res);
    await deps.runner.run(r.effects, { servedUser: servedUser ?? '', sourceKey: txn });
    return;
  }
  bindLogUser(servedUser);
  const dsp = deps.state.engine.call('dispatch', { request: view, policy: deps.state.policy, txn });
  deps.record(dsp.decisions.map((d) => ({ ...d, servedUser })), { callId, now });
  if (!dsp.handler) {
    // DSP-8: rejected, or passed on unchanged toward the next hop.
    deps.runner.hold(txn, res);
    await deps.runner.run(dsp.effects, { servedUser, sourceKey: txn, forward: forwardOf(view, txn) });
    return;
  }
  if (dsp.imdn) return deps.imdn.terminating(view, servedUser, res);
  return deps.pager.terminating(view, servedUser, dsp.skip, res);
}

async function originating(deps: MessageHandlerDeps, view: SipMessageView, servedUser: string, res: SrfResponseOut): Promise<void> {
  if (viewHasImdn(view)) return deps.imdn.originating(view, servedUser, res);
  // A standalone message the served user sends: remember it (IMDN-RX's MessageIndex, AMB-9) and
  // pass it on toward its destination.
  const messageId = /^imdn\.Message-ID:\s*(\S+)/im.exec(bodyText(view))?.[1];
  if (messageId) deps.state.sentIndex(servedUser).set(messageId, { kind: 'STANDALONE', requested: [] });
  const callId = header(view, 'call-id');
  const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
  const route = deps.state.engine.call('routeToCore', await coreRouteInput(deps.route, { servedUser, target: view.uri ?? '', callId, txn }));
  deps.record(route.decisions, { callId, now: deps.now() });
  deps.runner.hold(txn, res);
  await deps.runner.run(route.effects, { servedUser, sourceKey: txn, forward: forwardOf(view, txn) });
}

const FORWARDED = ['From', 'To', 'Content-Type', 'Content-Encoding', 'Conversation-ID', 'Contribution-ID', 'P-Asserted-Identity', 'P-Asserted-Service', 'Accept-Contact', 'User-Agent'];

function forwardOf(view: SipMessageView, txn: string) {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const v = header(view, name);
    // A new transaction gets a new From tag from the edge.
    if (v !== undefined) headers[name] = name === 'From' ? v.replace(/;\s*tag=[^;]*/i, '') : v;
  }
  return { txn, request: { method: view.method ?? 'MESSAGE', uri: view.uri ?? '', headers, body: view.body } };
}
