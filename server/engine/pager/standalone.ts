// SPEC §11.1 (8.3.1.1), the pager-mode standalone message contract, steps 4 and 5: deliver to every
// suitable registered client; when none takes it, defer (allow-defer, unless DEFERRAL is skipped)
// or reject. Branch ids name the contract's steps: 11.1-4 (deliver), 11.1-5 (defer or reject).
import { decide, type Decision } from '../decision';
import type { Effect, Headers } from '../effects';
import { isSuitable, type ClientRegistration } from '../imdn/registration';
import { isUnavailable, type ForkState } from '../imdn/deliver';
import type { MessageIndexEntry, UserPrefs } from '../model';
import type { Policy, SkipService } from '../policy';
import type { EngineResult } from '../result';
import { header, headerValues, type SipMessageView } from '../message';
import { bodyText } from '../parse/content-encoding';

export interface StandaloneFork {
  id: string;
  contact: string;
  state: ForkState;
  userAgent?: string;
}

export interface StandaloneDelivery {
  id: string;
  servedUser: string;
  txn: string;
  messageId?: string;
  contentType: string;
  body: string;
  headers: Headers;
  forks: StandaloneFork[];
  answered: boolean;
  settled: boolean;
}

const CARRIED = ['From', 'P-Asserted-Identity', 'P-Asserted-Service', 'Accept-Contact', 'Conversation-ID', 'Contribution-ID', 'Content-Type', 'Content-Encoding'];

function carried(message: SipMessageView, servedUser: string): Headers {
  const out: Headers = {};
  for (const name of CARRIED) {
    const v = headerValues(message, name);
    if (v.length) out[name] = v.length === 1 ? v[0] : v;
  }
  out.To = `<${servedUser}>`;
  return out;
}

/** imdn.Message-ID of a CPIM-wrapped standalone message, if any. */
export function cpimMessageId(body: string): string | undefined {
  return /^imdn\.Message-ID:\s*(\S+)/im.exec(body)?.[1];
}

export function deliverStandalone(input: {
  deliveryId: string;
  servedUser: string;
  txn: string;
  message: SipMessageView;
  registrations: ClientRegistration[];
  prefs: UserPrefs;
  skip: SkipService[];
  policy: Pick<Policy, 'untaggedClientsSuitable'>;
}): EngineResult & { delivery: StandaloneDelivery } {
  const { message, servedUser } = input;
  const contentType = header(message, 'content-type') ?? 'text/plain';
  const delivery: StandaloneDelivery = {
    id: input.deliveryId,
    servedUser,
    txn: input.txn,
    messageId: cpimMessageId(bodyText(message)),
    contentType,
    body: message.body,
    headers: carried(message, servedUser),
    forks: [],
    answered: false,
    settled: false,
  };
  const suitable = input.registrations.filter((r) => isSuitable(r, 'msg', input.policy));
  if (suitable.length === 0) {
    return settleUnavailable(delivery, input.prefs, input.skip, `no client of ${servedUser} registered the standalone-message service`);
  }
  const effects: Effect[] = [];
  for (const [n, reg] of suitable.entries()) {
    const fork: StandaloneFork = { id: `${input.deliveryId}:${n}`, contact: reg.contact, state: 'PENDING', userAgent: reg.userAgent };
    delivery.forks.push(fork);
    effects.push({ kind: 'SEND_REQ', leg: fork.id, method: 'MESSAGE', uri: reg.contact, headers: delivery.headers, body: delivery.body });
  }
  const decisions: Decision[] = [
    decide({
      branch: '11.1-4',
      procedure: 'PAGER',
      outcome: 'FORK',
      summary: `The standalone message is sent to ${suitable.length} suitable client(s) of ${servedUser}; the sender gets the first success.`,
      inputs: { suitable: suitable.map((r) => r.contact), registrations: input.registrations.length },
      servedUser,
      messageId: delivery.messageId,
    }),
  ];
  return { effects, decisions, delivery };
}

/**
 * One fork's final response (or its timeout). Every 2xx is a delivery: `deliveredTo` names the
 * client each time, so the shell can count the endpoints (IMDN-TX-2, `receivedEntryAfterDelivery`)
 * and judge each client for IMDN-GEN-2; `firstDelivery` marks the one that answered the sender
 * (store the message, mark a queued item delivered).
 */
export function standaloneForkOutcome(input: {
  delivery: StandaloneDelivery;
  forkId: string;
  code?: number;
  timedOut?: boolean;
  prefs: UserPrefs;
  skip: SkipService[];
}): EngineResult & { delivery: StandaloneDelivery; deliveredTo?: StandaloneFork; firstDelivery?: boolean; failed?: boolean } {
  const d: StandaloneDelivery = {
    ...input.delivery,
    forks: input.delivery.forks.map((f) => (f.id === input.forkId ? { ...f, state: input.timedOut ? 'TIMEOUT' : (input.code ?? 'TIMEOUT') } : f)),
  };
  const fork = d.forks.find((f) => f.id === input.forkId);
  if (!fork || d.settled) return { effects: [], decisions: [], delivery: d };
  const ok = typeof fork.state === 'number' && fork.state >= 200 && fork.state < 300;
  if (ok) {
    const effects: Effect[] = d.answered ? [] : [{ kind: 'SEND_RESP', txn: d.txn, code: fork.state as number, reason: 'OK' }];
    const first = !d.answered;
    d.answered = true;
    d.settled = d.forks.every((f) => f.state !== 'PENDING');
    const delivered = d.forks.filter((f) => typeof f.state === 'number' && f.state >= 200 && f.state < 300).length;
    return {
      effects,
      decisions: [
        decide({
          branch: '11.1-4',
          procedure: 'PAGER',
          outcome: first ? 'DELIVERED' : 'DELIVERED_ALSO',
          summary: first
            ? `Client ${fork.contact} accepted the standalone message.`
            : `Client ${fork.contact} accepted the standalone message too: it has reached ${delivered} endpoints, so their disposition notifications are de-duplicated (IMDN-TX-2).`,
          inputs: { contact: fork.contact, code: fork.state, deliveredEndpoints: delivered },
          servedUser: d.servedUser,
          messageId: d.messageId,
        }),
      ],
      delivery: d,
      deliveredTo: fork,
      firstDelivery: first,
    };
  }
  if (!d.forks.every((f) => f.state !== 'PENDING')) return { effects: [], decisions: [], delivery: d };
  if (d.answered) return { effects: [], decisions: [], delivery: { ...d, settled: true } };
  if (d.forks.every((f) => isUnavailable(f.state))) {
    return settleUnavailable(d, input.prefs, input.skip, 'every client answered 408, 480, 503 or timed out');
  }
  const failure = d.forks.find((f) => !isUnavailable(f.state));
  const code = typeof failure?.state === 'number' ? failure.state : 480;
  return {
    effects: [{ kind: 'SEND_RESP', txn: d.txn, code, reason: 'Delivery Failed' }],
    decisions: [
      decide({
        branch: '11.1-5',
        procedure: 'PAGER',
        outcome: 'FAILED',
        summary: `Delivery ended with ${code} from ${failure?.contact}; that is a refusal, not "unavailable", so the message is not deferred.`,
        inputs: { outcomes: d.forks.map((f) => ({ contact: f.contact, outcome: f.state })) },
        servedUser: d.servedUser,
        messageId: d.messageId,
      }),
    ],
    delivery: { ...d, answered: true, settled: true },
    failed: true,
  };
}

/**
 * The served user's MessageIndex entry for a received standalone message after one more endpoint
 * took it: IMDN-TX-2 filters the notifications of a message that reached more than one.
 */
export function receivedEntryAfterDelivery(prev: MessageIndexEntry | undefined, storeRef?: string): MessageIndexEntry {
  return {
    ...prev,
    kind: 'STANDALONE',
    storeRef: storeRef ?? prev?.storeRef,
    deliveredEndpoints: (prev?.deliveredEndpoints ?? 0) + 1,
    requested: prev?.requested ?? [],
  };
}

function settleUnavailable(d: StandaloneDelivery, prefs: UserPrefs, skip: SkipService[], why: string): EngineResult & { delivery: StandaloneDelivery; failed?: boolean } {
  const canDefer = prefs.allowDefer && !skip.includes('DEFERRAL');
  const inputs = { reason: why, 'prefs.allowDefer': prefs.allowDefer, 'prefs.source': prefs.source, skipDeferral: skip.includes('DEFERRAL') };
  const done = { ...d, answered: true, settled: true };
  if (canDefer) {
    return {
      effects: [
        { kind: 'DEFER', item: { kind: 'MESSAGE', servedUser: d.servedUser, contentType: d.contentType, body: d.body, headers: d.headers, messageId: d.messageId } },
        { kind: 'SEND_RESP', txn: d.txn, code: 202, reason: 'Accepted' },
      ],
      decisions: [
        decide({
          branch: '11.1-5',
          procedure: 'PAGER',
          outcome: 'DEFER',
          summary: `${why}; the user allows deferral, so the message is kept until a client registers (202).`,
          inputs,
          servedUser: d.servedUser,
          messageId: d.messageId,
        }),
      ],
      delivery: done,
    };
  }
  return {
    effects: [{ kind: 'SEND_RESP', txn: d.txn, code: 480, reason: 'Temporarily Unavailable' }],
    decisions: [
      decide({
        branch: '11.1-5',
        procedure: 'PAGER',
        outcome: 'REJECT',
        summary: `${why}; deferral is ${skip.includes('DEFERRAL') ? 'skipped for this request' : 'not allowed by the user'}, so the message is rejected (480).`,
        inputs,
        servedUser: d.servedUser,
        messageId: d.messageId,
      }),
    ],
    delivery: done,
    failed: true,
  };
}
