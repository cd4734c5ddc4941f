// Terminating MESSAGE for a served user: disposition notifications go through IMDN-RX (dedup) and
// are forwarded to the user's registered clients; other messages are delivered as they are.
import { receiveImdn } from '../engine/imdn/receive';
import { header } from '../engine/sip-message';
import type { Effect } from '../engine/effects';
import { aorOf, parseNameAddr } from './addresses';
import { fork } from './forward';
import { viewFromRaw } from './message-view';
import type { PfState } from './pf-state';
import type { DecisionSink } from './record-decisions';
import type { Registrar } from './registrar';
import type { Handler, SrfApp } from './srf-types';
import type { Logger } from '../log';

const FORWARDED_HEADERS = [
  'Content-Type',
  'Conversation-ID',
  'Contribution-ID',
  'P-Asserted-Identity',
  'P-Asserted-Service',
  'Accept-Contact',
  'User-Agent',
];
const FORK_TIMEOUT_MS = 8000;

export interface MessageHandlerDeps {
  srf: SrfApp;
  state: PfState;
  registrar: Registrar;
  isServed: (aor: string) => boolean;
  record: DecisionSink;
  log: Logger;
  now: () => number;
}

export function messageHandler(deps: MessageHandlerDeps): Handler {
  return (req, res) => {
    void handle(deps, req, res).catch((err: Error) => {
      deps.log.error(`MESSAGE ${req.get('Call-ID')}: ${err.stack ?? err.message}`);
      if (!res.finished) res.send(500, 'Server Internal Error');
    });
  };
}

async function handle(deps: MessageHandlerDeps, req: Parameters<Handler>[0], res: Parameters<Handler>[1]): Promise<void> {
  const now = deps.now();
  const view = viewFromRaw(req.msg.raw ?? req.msg.toString());
  const servedUser = aorOf(req.uri);
  if (!servedUser || !deps.isServed(servedUser)) {
    res.send(404, 'Not Found');
    return;
  }
  const callId = header(view, 'call-id');
  const contentType = (header(view, 'content-type') ?? '').toLowerCase();
  const isCpimOrMultipart = contentType.startsWith('message/cpim') || contentType.startsWith('multipart/mixed');

  let body = view.body;
  if (isCpimOrMultipart && /message\/imdn\+xml/i.test(view.body)) {
    const result = receiveImdn({
      servedUser,
      message: view,
      cache: deps.state.rxCache,
      messageIndex: (id) => deps.state.messageIndex.get(id),
      session: (id) => deps.state.sessions.get(id),
      policy: deps.state.policy,
      now,
    });
    applyCacheEffects(deps.state, result.effects, now);
    deps.record(
      result.decisions.map((d) => ({ ...d, servedUser: d.servedUser ?? servedUser, callId: d.callId ?? callId })),
      { callId, now },
    );
    if (result.forward.length === 0) {
      res.send(200, 'OK');
      return;
    }
    // A single forwarded IMDN goes out as received; several parts are re-aggregated later (DLV-3).
    body = result.forward.length === 1 ? result.forward[0].raw : view.body;
  }

  const contacts = deps.registrar.contacts(servedUser, now);
  if (contacts.length === 0) {
    res.send(480, 'Temporarily Unavailable');
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const v = req.get(name);
    if (v !== undefined) headers[name] = v;
  }
  const from = parseNameAddr(req.get('From') ?? '');
  if (from) headers.From = `<${from.uri}>`;
  headers.To = `<${servedUser}>`;
  const outcomes = await fork(deps.srf, contacts.map((c) => ({ contact: c.contact })), { method: 'MESSAGE', headers, body }, FORK_TIMEOUT_MS);
  const best = outcomes[0];
  res.send(best.status, best.reason);
}

function applyCacheEffects(state: PfState, effects: Effect[], now: number): void {
  for (const e of effects) {
    if (e.kind === 'CACHE_PUT') (e.cache === 'RX' ? state.rxCache : state.txCache).apply(e, now);
  }
}
