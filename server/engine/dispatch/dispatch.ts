// DSP — terminating-network dispatch (SPEC §4, seed 8.3): which referenced procedure serves an
// initial request, which services it must skip, and what happens to requests nobody serves.
import { decide, type Decision } from '../decision';
import type { Effect } from '../effects';
import type { Policy, SkipService } from '../policy';
import type { EngineResult } from '../result';
import { header, headerValues, type SipMessageView } from '../message';
import { acceptContactOf, assertedCpmServices } from '../parse/accept-contact';
import { parseEvent } from '../parse/event';
import type { CpmService } from '../parse/feature-tags';
import { bodyKind } from './body-kind';
import { bodyText } from '../parse/content-encoding';

export type DspHandler = '8.3.1.1' | '8.3.1.2' | '8.3.1.6.3' | '8.3.1.6.4' | '8.3.2.1' | '8.3.3.1';

export interface DispatchResult extends EngineResult {
  handler?: DspHandler;
  skip: SkipService[];
  /** DSP-1a / DSP-1c: the MESSAGE carries an IMDN (or an aggregate of them) */
  imdn?: boolean;
  /** DSP-1c: the IMDNs arrive as a multipart/mixed aggregate */
  aggregated?: boolean;
}

export interface DispatchInput {
  request: SipMessageView;
  policy: Policy;
  /** the server transaction, for DSP-8's response; defaults to Call-ID + CSeq */
  txn?: string;
}

// AMB-16: the order in which an INVITE's CPM ICSIs are considered.
const INVITE_PRECEDENCE: Array<[CpmService, DspHandler, string]> = [
  ['deferred', '8.3.1.6.3', 'DSP-3'],
  ['largemsg', '8.3.1.2', 'DSP-2'],
  ['filetransfer', '8.3.3.1', 'DSP-6'],
  ['session', '8.3.2.1', 'DSP-5'],
];
const MESSAGE_ICSIS: CpmService[] = ['msg', 'largemsg', 'session', 'filetransfer'];
const SKIP_ORDER: SkipService[] = ['INTERWORKING', 'DEFERRAL', 'MESSAGE_STORE', 'BLACKLIST', 'USER_PREFS'];

const HANDLER_WORDS: Record<DspHandler, string> = {
  '8.3.1.1': 'pager-mode standalone message and SIP IMDN handling',
  '8.3.1.2': 'large-message-mode handling',
  '8.3.1.6.3': 'deferred-message notification to the client',
  '8.3.1.6.4': 'delivery of deferred messages to the Message Storage Server',
  '8.3.2.1': 'CPM session invitation handling',
  '8.3.3.1': 'CPM file transfer handling',
};

export function dispatch(input: DispatchInput): DispatchResult {
  const { request, policy } = input;
  const method = (request.method ?? '').toUpperCase();
  const callId = header(request, 'call-id');
  const decisions: Decision[] = [];
  const d = (branch: string, outcome: string, summary: string, inputs: Record<string, unknown>) =>
    decisions.push(decide({ branch, procedure: 'DSP', outcome, summary, inputs, ...(callId ? { callId } : {}) }));

  const ac = acceptContactOf(request);
  const acIcsis = ac.ok ? ac.value.icsis : [];
  const additional = ac.ok ? ac.value.additional : [];
  const asserted = assertedCpmServices(request);

  // DSP-0: P-Asserted-Service wins; otherwise the Accept-Contact set.
  const icsis: CpmService[] = asserted.length > 0 ? [asserted[0]] : acIcsis;
  const dsp0Inputs: Record<string, unknown> = {
    method,
    pAssertedService: headerValues(request, 'p-asserted-service'),
    acceptContactIcsis: acIcsis,
    ...(ac.ok ? (ac.value.malformed.length > 0 ? { acceptContactMalformed: ac.value.malformed } : {}) : { acceptContactError: ac.error }),
  };

  let handler: DspHandler | undefined;
  let branch: string | undefined;
  let imdn: boolean | undefined;
  let aggregated: boolean | undefined;

  if (method === 'SUBSCRIBE') {
    const rawEvent = header(request, 'event');
    const ev = parseEvent(rawEvent);
    if (ev.ok && ev.value.eventType === 'deferred-messages') {
      handler = '8.3.1.6.4';
      branch = 'DSP-4';
      d('DSP-4', 'DISPATCH', 'A SUBSCRIBE for the deferred-messages event goes to deferred-message delivery (8.3.1.6.4); the feature tag is not checked.', {
        event: rawEvent,
      });
    } else {
      dsp0Inputs.event = rawEvent;
      if (!ev.ok) dsp0Inputs.eventError = ev.error;
    }
  } else {
    if (method === 'INVITE' && icsis.length > 0) {
      const pick = INVITE_PRECEDENCE.find(([svc]) => icsis.includes(svc));
      if (pick) [, handler, branch] = pick;
    } else if (method === 'MESSAGE' && icsis.some((s) => MESSAGE_ICSIS.includes(s))) {
      handler = '8.3.1.1';
      branch = 'DSP-1';
    }
    const chosen = handler ? icsis.filter((s) => INVITE_PRECEDENCE.some(([svc, h]) => svc === s && h === handler)) : [];
    d(
      'DSP-0',
      handler ? 'SELECT' : 'NO_MATCH',
      asserted.length > 0
        ? `P-Asserted-Service names the CPM service "${asserted[0]}", so it alone decides the handler.`
        : icsis.length === 0
          ? 'The request names no CPM service in Accept-Contact or P-Asserted-Service.'
          : `Accept-Contact names the CPM services ${icsis.join(', ')}${
              method === 'INVITE' && chosen.length > 0 && icsis.length > 1 ? `; "${chosen[0]}" wins by precedence` : ''
            }.`,
      { ...dsp0Inputs, selected: icsis },
    );
    if (branch === 'DSP-1') {
      const kind = bodyKind(header(request, 'content-type'), bodyText(request));
      imdn = kind !== 'OTHER';
      aggregated = kind === 'AGGREGATED_IMDN';
      d('DSP-1', 'DISPATCH', `A MESSAGE for a CPM service goes to standalone message and IMDN handling (8.3.1.1).`, {
        icsis,
      });
      if (kind === 'IMDN') {
        d('DSP-1a', 'IMDN_PATH', 'The MESSAGE carries a disposition notification, so it takes the IMDN path (receive, then deliver to own clients).', {
          contentType: header(request, 'content-type'),
        });
      } else if (kind === 'AGGREGATED_IMDN') {
        d('DSP-1c', 'IMDN_PATH', 'The MESSAGE carries an aggregate of disposition notifications from another network; it is accepted and each part is handled as one IMDN.', {
          contentType: header(request, 'content-type'),
        });
      } else {
        d('DSP-1b', 'STANDALONE_PATH', 'The MESSAGE is a pager-mode standalone message, so it takes the standalone delivery path.', {
          contentType: header(request, 'content-type'),
        });
      }
    } else if (handler && branch) {
      d(branch, 'DISPATCH', `An INVITE for "${chosen[0]}" goes to ${HANDLER_WORDS[handler]} (${handler}).`, { icsis });
    }
  }

  if (handler === undefined) return unmatched(input, method, icsis, decisions, callId);

  // DSP-7: extra feature strings may switch services off (the seed's MAY, off by default).
  const skip = skipFor(additional, policy);
  if (additional.length > 0) {
    d(
      'DSP-7',
      skip.length > 0 ? 'SKIP' : 'NO_SKIP',
      skip.length > 0
        ? `Additional feature strings in Accept-Contact switch off ${skip.join(', ')} for this request.`
        : 'Accept-Contact has additional feature strings, but the skip map lists none of them, so no service is skipped.',
      { additional, iariSkipMap: policy.iariSkipMap, skip },
    );
  }
  const effects: Effect[] = [{ kind: 'DISPATCH', handler, skip }];
  return {
    effects,
    decisions,
    handler,
    skip,
    ...(imdn === undefined ? {} : { imdn }),
    ...(aggregated ? { aggregated } : {}),
  };
}

function skipFor(additional: string[], policy: Policy): SkipService[] {
  const wanted = new Set<SkipService>();
  const map = new Map(Object.entries(policy.iariSkipMap).map(([k, v]) => [k.toLowerCase(), v]));
  for (const s of additional) for (const svc of map.get(s.toLowerCase()) ?? []) wanted.add(svc);
  return SKIP_ORDER.filter((s) => wanted.has(s));
}

// DSP-8 / DSP-9: nobody here serves the request (AMB-15).
function unmatched(
  input: DispatchInput,
  method: string,
  icsis: CpmService[],
  decisions: Decision[],
  callId: string | undefined,
): DispatchResult {
  const { request, policy } = input;
  const d = (branch: string, outcome: string, summary: string, inputs: Record<string, unknown>) =>
    decisions.push(decide({ branch, procedure: 'DSP', outcome, summary, inputs, ...(callId ? { callId } : {}) }));
  if (icsis.includes('systemmsg')) {
    d('DSP-9', 'UNMATCHED', 'The system-message service is not dispatched by this PF, so the request is treated as unmatched.', {
      icsis,
    });
  }
  const routes = routeEntries(request);
  // on ISC the top Route entry is the PF's own; the next one is where the request goes on
  const nextHop = policy.unmatchedNextHop ?? routes[1];
  const inputs = {
    method,
    icsis,
    unmatchedRequestAction: policy.unmatchedRequestAction,
    unmatchedRequestResponse: policy.unmatchedRequestResponse,
    unmatchedNextHop: policy.unmatchedNextHop,
    route: routes,
    ...(method === 'SUBSCRIBE' ? { event: header(request, 'event') } : {}),
  };
  if (policy.unmatchedRequestAction === 'PROXY' && nextHop !== undefined) {
    d('DSP-8', 'PROXY', `No CPM handler serves this ${method || 'request'}; it is passed on unchanged to ${nextHop}.`, { ...inputs, nextHop });
    return { effects: [{ kind: 'FWD_REQ', toLeg: nextHop }], decisions, skip: [] };
  }
  const code = policy.unmatchedRequestResponse;
  d(
    'DSP-8',
    'REJECT',
    policy.unmatchedRequestAction === 'PROXY'
      ? `No CPM handler serves this ${method || 'request'} and no next hop is known, so it is rejected with ${code}.`
      : `No CPM handler serves this ${method || 'request'}, so it is rejected with ${code}.`,
    inputs,
  );
  const txn = input.txn ?? `${header(request, 'call-id') ?? ''}|${header(request, 'cseq') ?? ''}`;
  return { effects: [{ kind: 'SEND_RESP', txn, code, reason: reasonPhrase(code) }], decisions, skip: [] };
}

function routeEntries(request: SipMessageView): string[] {
  const out: string[] = [];
  for (const line of headerValues(request, 'route')) {
    for (const m of line.matchAll(/<([^>]*)>/g)) out.push(m[1].trim());
  }
  return out;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  603: 'Decline',
};

/** The RFC 3261 reason phrase of a status code the PF sends (a class phrase for the others). */
export function reasonPhrase(code: number): string {
  return REASONS[code] ?? (code >= 600 ? 'Global Failure' : code >= 500 ? 'Server Error' : 'Request Failure');
}
