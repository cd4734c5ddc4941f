// IMDN-DLV (SPEC §8): deliver the IMDNs that IMDN-RX forwarded to the served user's own clients.
// A delivery is plain data the shell keeps while its forks are outstanding: deliverImdn() starts
// it, imdnForkOutcome() feeds each client's final response (or timeout) back in. Aggregation
// buffering (DLV-3) lives in aggregate.ts.
import { decide, type Decision } from '../decision';
import type { DeferredItem, Effect, Headers } from '../effects';
import type { UserPrefs } from '../model';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { headerValues, type SipMessageView } from '../message';
import { parseImdnBody } from '../parse/imdn';
import { bufferForAggregation, type AggregationBuffers } from './aggregate';
import type { ImdnPart } from './receive';
import { imdnServiceOf, isSuitable, type ClientRegistration } from './registration';
import { recordDeliveredImdns, storeImdnWanted, type OriginalLocator } from './store-imdn';

export type ForkState = 'PENDING' | 'TIMEOUT' | number;

export interface ImdnFork {
  /** the leg id used in SEND_REQ; responses come back under it */
  id: string;
  contact: string;
  /** indexes into ImdnDelivery.parts carried by this request */
  parts: number[];
  state: ForkState;
}

export interface DeliveryPart {
  part: ImdnPart;
  /** SIP headers of the request that brought it (Conversation-ID … for storage and deferral) */
  sipHeaders: Headers;
}

export interface ImdnDelivery {
  id: string;
  servedUser: string;
  /** the incoming MESSAGE still to be answered; undefined once answered (or for redelivery) */
  txn?: string;
  parts: DeliveryPart[];
  forks: ImdnFork[];
  answered: boolean;
  storedParts: number[];
  settled: boolean;
  /** the IMDN-DLV-4c decision was already logged for this delivery */
  storageSkipLogged?: boolean;
}

/** AMB-41: fork outcomes that mean "the receiving client is not available". */
export function isUnavailable(state: ForkState): boolean {
  return state === 'TIMEOUT' || state === 408 || state === 480 || state === 503;
}

const COPIED_HEADERS = ['From', 'P-Asserted-Identity', 'P-Asserted-Service', 'Accept-Contact', 'Conversation-ID', 'Contribution-ID'];

/** Headers of the incoming request that travel with the IMDN to the client and into storage. */
export function carriedHeaders(message: SipMessageView, servedUser: string): Headers {
  const out: Headers = {};
  for (const name of COPIED_HEADERS) {
    const v = headerValues(message, name);
    if (v.length === 0) continue;
    out[name] = name === 'From' ? v[0].replace(/;\s*tag=[^;]*/i, '') : v.length === 1 ? v[0] : v;
  }
  out['To'] = `<${servedUser}>`;
  return out;
}

function serviceFor(parts: DeliveryPart[]): ReturnType<typeof imdnServiceOf> {
  const original = parts.find((p) => p.part.original)?.part.original;
  return imdnServiceOf(original, parts[0]?.sipHeaders ?? {});
}

export function requestFor(fork: ImdnFork, parts: DeliveryPart[], body: { contentType: string; body: string }): Effect {
  return {
    kind: 'SEND_REQ',
    leg: fork.id,
    method: 'MESSAGE',
    uri: fork.contact,
    headers: { ...parts[fork.parts[0]].sipHeaders, 'Content-Type': body.contentType },
    body: body.body,
  };
}

export interface DeliverImdnInput {
  /** unique id for this delivery; fork leg ids derive from it */
  deliveryId: string;
  servedUser: string;
  txn: string;
  message: SipMessageView;
  parts: ImdnPart[];
  registrations: ClientRegistration[];
  prefs: UserPrefs;
  policy: Policy;
  now: number;
  /** the aggregation buffers (DLV-3); returned updated */
  buffers?: AggregationBuffers;
}

export function deliverImdn(input: DeliverImdnInput): EngineResult & { delivery?: ImdnDelivery; flushed: ImdnDelivery[]; buffers: AggregationBuffers } {
  const { servedUser, policy } = input;
  let buffers = input.buffers ?? {};
  const sipHeaders = carriedHeaders(input.message, servedUser);
  const parts: DeliveryPart[] = input.parts.map((part) => ({ part, sipHeaders: part.encoding ? { ...sipHeaders, 'Content-Encoding': part.encoding } : sipHeaders }));
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const { service, basis: serviceBasis } = serviceFor(parts);
  const suitable = input.registrations.filter((r) => isSuitable(r, service, policy));
  const base = { procedure: 'IMDN-DLV' as const, servedUser, messageId: input.parts[0]?.imdn?.messageId };
  const delivery: ImdnDelivery = { id: input.deliveryId, servedUser, txn: input.txn, parts, forks: [], answered: false, storedParts: [], settled: false };

  const flushed: ImdnDelivery[] = [];
  if (parts.length === 0) return { effects, decisions, buffers, flushed };

  if (suitable.length === 0) {
    const r = deferParts(delivery, 'no suitable registration', { registrations: input.registrations.length, service, serviceBasis });
    r.decisions.push(...storeLaterDecision(input.prefs, policy, base));
    return { ...r, delivery: r.delivery, buffers, flushed };
  }

  const agg = policy.imdnAggregation;
  let buffered = 0;
  for (const reg of suitable) {
    // A compressed notification goes alone: an aggregate part is CPIM text (D-112).
    const aggregates = agg.enabled && (!agg.requireClientTag || reg.imdnAggregation) && !parts.some((p) => p.part.encoding);
    if (aggregates) {
      const b = bufferForAggregation({ buffers, registration: reg, parts, policy, now: input.now, servedUser, deliveryId: `${input.deliveryId}:${reg.contact}` });
      buffers = b.buffers;
      flushed.push(...b.flushed);
      effects.push(...b.effects);
      decisions.push(...b.decisions);
      buffered++;
      continue;
    }
    // One request per IMDN toward a client that gets no aggregates (DLV-1, DLV-3x).
    for (const [i, p] of parts.entries()) {
      const fork: ImdnFork = { id: `${input.deliveryId}:${delivery.forks.length}`, contact: reg.contact, parts: [i], state: 'PENDING' };
      delivery.forks.push(fork);
      effects.push(requestFor(fork, parts, { contentType: p.part.contentType, body: p.part.raw }));
    }
    if (agg.enabled) {
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-DLV-3x',
          outcome: 'SEND',
          summary: `Client ${reg.contact} did not register imdn-aggregation, so it gets ${parts.length} individual notification request(s).`,
          inputs: { contact: reg.contact, imdnAggregation: reg.imdnAggregation, 'policy.imdnAggregation.requireClientTag': agg.requireClientTag },
        }),
      );
    }
  }
  if (delivery.forks.length > 0) {
    decisions.push(
      decide({
        ...base,
        branch: 'IMDN-DLV-1',
        outcome: 'FORK',
        summary: `The notification is sent to ${new Set(delivery.forks.map((f) => f.contact)).size} suitable client(s) of ${servedUser}; the sender gets the first success.`,
        inputs: { service, serviceBasis, suitable: suitable.map((r) => r.contact), registrations: input.registrations.length, parts: parts.length },
      }),
    );
  }
  if (buffered > 0) {
    // AMB-40: a MESSAGE buffered for aggregation is answered 202 at once.
    effects.push({ kind: 'SEND_RESP', txn: input.txn, code: 202, reason: 'Accepted' });
    delivery.answered = true;
    delivery.txn = undefined;
  }
  return { effects, decisions, delivery: delivery.forks.length > 0 ? delivery : undefined, buffers, flushed };
}

function storeLaterDecision(prefs: UserPrefs, policy: Policy, base: { procedure: 'IMDN-DLV'; servedUser: string; messageId?: string }): Decision[] {
  const want = storeImdnWanted(prefs, policy);
  if (!want.store) return [];
  return [
    decide({
      ...base,
      branch: 'IMDN-DLV-4b',
      outcome: 'STORE_LATER',
      summary: 'No client has accepted the notification yet, so it is not stored now; it will be stored when a deferred delivery succeeds.',
      inputs: want.inputs,
    }),
  ];
}

function deferParts(delivery: ImdnDelivery, why: string, inputs: Record<string, unknown>): EngineResult & { delivery: ImdnDelivery } {
  const effects: Effect[] = [];
  for (const { part, sipHeaders } of delivery.parts) {
    const item: DeferredItem = {
      kind: 'IMDN',
      servedUser: delivery.servedUser,
      contentType: part.contentType,
      body: part.raw,
      headers: sipHeaders,
      messageId: part.imdn?.messageId,
    };
    effects.push({ kind: 'DEFER', item });
  }
  if (delivery.txn !== undefined && !delivery.answered) {
    effects.push({ kind: 'SEND_RESP', txn: delivery.txn, code: 202, reason: 'Accepted' });
  }
  const d: ImdnDelivery = { ...delivery, answered: true, txn: undefined, settled: true };
  return {
    effects,
    delivery: d,
    decisions: [
      decide({
        branch: 'IMDN-DLV-2',
        procedure: 'IMDN-DLV',
        outcome: 'DEFER',
        summary: `No client of ${delivery.servedUser} is available (${why}); ${delivery.parts.length} notification(s) are deferred until a client registers.`,
        inputs: { ...inputs, reason: why },
        servedUser: delivery.servedUser,
        messageId: delivery.parts[0]?.part.imdn?.messageId,
      }),
    ],
  };
}

export interface ForkOutcomeInput {
  delivery: ImdnDelivery;
  forkId: string;
  /** final response code, or undefined with timedOut */
  code?: number;
  timedOut?: boolean;
  prefs: UserPrefs;
  policy: Policy;
  locator: OriginalLocator;
  now: number;
}

/** One fork finished. Answers on the first 2xx, stores per DLV-4, defers or fails once all are done. */
export function imdnForkOutcome(input: ForkOutcomeInput): EngineResult & { delivery: ImdnDelivery } {
  const { policy, prefs } = input;
  const d: ImdnDelivery = {
    ...input.delivery,
    forks: input.delivery.forks.map((f) => (f.id === input.forkId ? { ...f, state: input.timedOut ? 'TIMEOUT' : (input.code ?? 'TIMEOUT') } : f)),
    storedParts: [...input.delivery.storedParts],
  };
  const fork = d.forks.find((f) => f.id === input.forkId);
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  if (!fork || d.settled) return { effects, decisions, delivery: d };
  const base = { procedure: 'IMDN-DLV' as const, servedUser: d.servedUser, messageId: d.parts[fork.parts[0]]?.part.imdn?.messageId };
  const success = typeof fork.state === 'number' && fork.state >= 200 && fork.state < 300;

  if (success) {
    if (!d.answered && d.txn !== undefined) {
      effects.push({ kind: 'SEND_RESP', txn: d.txn, code: fork.state as number, reason: 'OK' });
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-DLV-1',
          outcome: 'DELIVERED',
          summary: `Client ${fork.contact} accepted the notification; the sender gets its ${fork.state}.`,
          inputs: { contact: fork.contact, code: fork.state },
        }),
      );
      d.answered = true;
      d.txn = undefined;
    }
    const want = storeImdnWanted(prefs, policy);
    const newParts = fork.parts.filter((i) => !d.storedParts.includes(i));
    if (want.store && newParts.length > 0) {
      const r = recordDeliveredImdns({ servedUser: d.servedUser, parts: newParts.map((i) => d.parts[i]), locator: input.locator, now: input.now });
      effects.push(...r.effects);
      decisions.push(...r.decisions);
      d.storedParts.push(...newParts);
    } else if (!want.store && !d.storageSkipLogged) {
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-DLV-4c',
          outcome: 'NO_STORAGE',
          summary: `Notifications are not stored for ${d.servedUser}: no CPM offline-storage rule applies and recording is off.`,
          inputs: want.inputs,
        }),
      );
      d.storageSkipLogged = true;
    }
  }

  const allDone = d.forks.every((f) => f.state !== 'PENDING');
  if (!allDone) return { effects, decisions, delivery: d };
  d.settled = true;
  const anySuccess = d.forks.some((f) => typeof f.state === 'number' && f.state >= 200 && f.state < 300);
  if (anySuccess) return { effects, decisions, delivery: d };

  if (d.forks.every((f) => isUnavailable(f.state))) {
    const r = deferParts({ ...d, settled: false }, 'every client answered 408, 480, 503 or timed out', {
      outcomes: d.forks.map((f) => ({ contact: f.contact, outcome: f.state })),
    });
    effects.push(...r.effects);
    decisions.push(...r.decisions, ...storeLaterDecision(prefs, policy, base));
    return { effects, decisions, delivery: r.delivery };
  }
  const failure = d.forks.find((f) => !isUnavailable(f.state));
  const code = typeof failure?.state === 'number' ? failure.state : 480;
  if (d.txn !== undefined && !d.answered) {
    effects.push({ kind: 'SEND_RESP', txn: d.txn, code, reason: 'Delivery Failed' });
    d.answered = true;
    d.txn = undefined;
  }
  decisions.push(
    decide({
      ...base,
      branch: 'IMDN-DLV-2',
      outcome: 'FAILED',
      summary: `Delivery of the notification ended with ${code} from ${failure?.contact}; this is not "client unavailable", so it is not deferred.`,
      inputs: { outcomes: d.forks.map((f) => ({ contact: f.contact, outcome: f.state })) },
    }),
  );
  return { effects, decisions, delivery: d };
}

/**
 * IMDN-DLV-2 (row DLV-2c): deferred IMDNs are sent to a client that registered (or asked for
 * its deferred messages). Each item becomes its own delivery; a 2xx stores it per DLV-4 (4b → 4a)
 * and an unavailable outcome defers it again.
 */
export function deliverDeferredImdns(input: {
  deliveryId: string;
  servedUser: string;
  items: DeferredItem[];
  registration: ClientRegistration;
  policy: Pick<Policy, 'untaggedClientsSuitable'>;
}): EngineResult & { deliveries: ImdnDelivery[] } {
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const deliveries: ImdnDelivery[] = [];
  for (const [n, item] of input.items.entries()) {
    if (item.kind !== 'IMDN' || item.servedUser !== input.servedUser) continue;
    const parsed = parseImdnBody(item.contentType, item.body);
    const p = parsed.ok && parsed.value.parts.length === 1 ? parsed.value.parts[0] : undefined;
    const part: ImdnPart = {
      raw: item.body,
      contentType: item.contentType,
      parsed: !!p?.ok,
      cpim: p?.cpim,
      imdn: p?.ok ? p.imdn : undefined,
    };
    const parts: DeliveryPart[] = [{ part, sipHeaders: item.headers }];
    // the original is not looked up here: a header that names the service decides, else any client
    const named = imdnServiceOf(undefined, item.headers);
    if (named.basis !== 'DEFAULT' && !isSuitable(input.registration, named.service, input.policy)) continue;
    const fork: ImdnFork = { id: `${input.deliveryId}:${n}`, contact: input.registration.contact, parts: [0], state: 'PENDING' };
    deliveries.push({ id: `${input.deliveryId}:${n}`, servedUser: input.servedUser, parts, forks: [fork], answered: true, storedParts: [], settled: false });
    effects.push(requestFor(fork, parts, { contentType: item.contentType, body: item.body }));
    decisions.push(
      decide({
        branch: 'IMDN-DLV-2',
        procedure: 'IMDN-DLV',
        outcome: 'REDELIVER',
        summary: `A deferred notification for message ${item.messageId ?? '(unknown)'} is now sent to ${input.registration.contact}.`,
        inputs: { contact: input.registration.contact, messageId: item.messageId },
        servedUser: input.servedUser,
        messageId: item.messageId,
      }),
    );
  }
  return { effects, decisions, deliveries };
}
