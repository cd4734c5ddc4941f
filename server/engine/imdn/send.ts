// IMDN-TX (SPEC §9): one of the served user's clients (or an IWF acting for them) sends an IMDN
// about a message the served user received. It goes on toward the original sender; when the
// message reached several endpoints, or the PF already generated a notification (IMDN-GEN-cache),
// the IMDN-RX duplicate rules run against the separate IMDN-TX cache.
import { decide, type Decision } from '../decision';
import type { Effect, ImdnCacheKey } from '../effects';
import type { CpmSession, MessageIndexEntry } from '../model';
import { cpimHeader } from '../parse/cpim';
import { parseImdnBody } from '../parse/imdn';
import { normaliseUri } from '../parse/uri';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { header, type SipMessageView } from '../message';
import type { ImdnCacheReader } from './cache';
import { decideDedup, dedupSummary } from './dedup';
import { bodyText } from '../parse/content-encoding';

export type ImdnCarrier =
  | { kind: 'SIP'; message: SipMessageView; txn: string; /** where forwarded requests go (the SIP/IP core) */ coreLeg?: string }
  | { kind: 'MSRP'; chunk: string; contentType: string; body: string; peerLeg: string; sessionId: string };

export interface SendImdnInput {
  /** the served user: the recipient of the original message */
  servedUser: string;
  carrier: ImdnCarrier;
  /** the IMDN-TX cache */
  cache: ImdnCacheReader;
  /** the served user's received messages, by imdn.Message-ID */
  messageIndex: (messageId: string) => MessageIndexEntry | undefined;
  session: (sessionId: string) => Pick<CpmSession, 'isComposingSentByServedClients'> | undefined;
  policy: Policy;
  now: number;
}

export function sendImdn(input: SendImdnInput): EngineResult & { forwarded: boolean } {
  const { carrier, policy, servedUser, now } = input;
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const contentType = carrier.kind === 'SIP' ? header(carrier.message, 'content-type') : carrier.contentType;
  const body = carrier.kind === 'SIP' ? bodyText(carrier.message) : carrier.body;
  const callId = carrier.kind === 'SIP' ? header(carrier.message, 'call-id') : undefined;
  const base = { procedure: 'IMDN-TX' as const, servedUser, callId, sessionId: carrier.kind === 'MSRP' ? carrier.sessionId : undefined };

  const forwardEffect = (): Effect =>
    carrier.kind === 'SIP' ? { kind: 'FWD_REQ', toLeg: carrier.coreLeg ?? 'core' } : { kind: 'MSRP_RELAY', toLeg: carrier.peerLeg };
  const dropEffects = (reason: string): Effect[] =>
    carrier.kind === 'SIP'
      ? [{ kind: 'DROP', reason }, { kind: 'SEND_RESP', txn: carrier.txn, code: 200, reason: 'OK' }]
      : [{ kind: 'DROP', reason }, { kind: 'MSRP_RESP', chunk: carrier.chunk, code: 200 }];
  const tx4 = () =>
    decide({
      ...base,
      branch: 'IMDN-TX-4',
      outcome: 'NOT_STORED',
      summary: 'Notifications sent by the served user’s own clients or on their behalf are never stored.',
      inputs: { 'policy.recordingEnabled': policy.recordingEnabled },
    });

  const parsed = parseImdnBody(contentType, body);
  const part = parsed.ok && parsed.value.parts.length === 1 ? parsed.value.parts[0] : undefined;
  if (!part || !part.ok) {
    // Nothing to deduplicate on: pass it on unchanged, like IMDN-RX-1x on the receiving side.
    effects.push(forwardEffect());
    decisions.push(
      decide({
        ...base,
        branch: 'IMDN-TX-1',
        outcome: 'FORWARD',
        summary: 'The notification could not be read; it is forwarded toward the original sender unchanged, without caching.',
        inputs: { error: part && !part.ok ? part.error.code : parsed.ok ? 'NOT_SINGLE_IMDN' : parsed.error.code, carrier: carrier.kind },
      }),
      tx4(),
    );
    return { effects, decisions, forwarded: true };
  }

  const { imdn, cpim } = part;
  const toValue = cpimHeader(cpim, 'To') ?? (carrier.kind === 'SIP' ? carrier.message.uri ?? '' : '');
  const originalSender = normaliseUri(toValue);
  const key: ImdnCacheKey = { servedUser, peer: originalSender, messageId: imdn.messageId };
  const original = input.messageIndex(imdn.messageId);
  const endpoints = original?.deliveredEndpoints ?? 1;
  const ttl = policy.imdnCacheTtlSec;
  const entry = input.cache.get(key, now, ttl);
  const ids = { messageId: imdn.messageId, disposition: imdn.type };
  const common = { messageId: imdn.messageId, type: imdn.type, status: imdn.status, originalSender, deliveredEndpoints: endpoints, cacheKey: `${servedUser}|${originalSender}|${imdn.messageId}` };

  let forward = true;
  if (endpoints > 1 || entry) {
    const sessionId = original?.sessionId ?? (carrier.kind === 'MSRP' ? carrier.sessionId : undefined);
    const isComposingSeen = sessionId ? input.session(sessionId)?.isComposingSentByServedClients === true : false;
    const o = decideDedup({
      imdn,
      entry,
      cacheEmptyForUser: input.cache.isEmptyFor(servedUser, now, ttl),
      isChat: original?.kind === 'CHAT',
      isComposingSeen,
      policy,
    });
    forward = o.forward;
    if (o.cachePut) effects.push({ kind: 'CACHE_PUT', cache: 'TX', key, type: imdn.type, status: imdn.status });
    if (!o.forward) effects.push(...dropEffects(o.dropReason ?? 'duplicate'));
    decisions.push(
      decide({
        ...base,
        ...ids,
        branch: 'IMDN-TX-2',
        outcome: o.forward ? 'FORWARD' : 'DROP',
        summary: `${endpoints > 1 ? `Message ${imdn.messageId} reached ${endpoints} endpoints` : `The PF already holds a notification for message ${imdn.messageId}`}, so duplicates are filtered (rule ${o.branch}): ${dedupSummary(o, imdn, servedUser, originalSender)}`,
        inputs: {
          ...common,
          rule: o.branch,
          cacheEntry: entry ? { types: entry.types, firstSeen: entry.firstSeen } : 'absent',
          isComposingSentByServedClients: isComposingSeen,
          'policy.imdnDedupKey': policy.imdnDedupKey,
          'policy.imdnCacheTtlSec': ttl,
        },
      }),
    );
  } else {
    decisions.push(
      decide({
        ...base,
        ...ids,
        branch: 'IMDN-TX-2x',
        outcome: 'FORWARD',
        summary: `Message ${imdn.messageId} went to a single endpoint and nothing is cached for it, so the ${imdn.type} notification is forwarded without duplicate filtering.`,
        inputs: { ...common, cacheEntry: 'absent' },
      }),
    );
  }

  if (forward) {
    effects.push(forwardEffect());
    decisions.push(
      decide({
        ...base,
        ...ids,
        branch: carrier.kind === 'MSRP' ? 'IMDN-TX-0' : 'IMDN-TX-1',
        outcome: 'FORWARD',
        summary:
          carrier.kind === 'MSRP'
            ? `The ${imdn.type} notification is relayed in the chat toward ${originalSender}.`
            : `The ${imdn.type} notification is forwarded through the SIP/IP core toward ${originalSender} (Request-URI ${carrier.message.uri ?? 'as received'}).`,
        inputs: { ...common, requestUri: carrier.kind === 'SIP' ? carrier.message.uri : undefined, carrier: carrier.kind },
      }),
    );
  }

  // IMDN-TX-3: a read report marks the stored copy \Seen whether or not it was forwarded.
  if (imdn.type === 'display') {
    const flag = imdn.status === 'displayed' && policy.setSeenOnDisplay && original?.storeRef !== undefined;
    if (flag) effects.push({ kind: 'SET_FLAG', objectRef: original!.storeRef as string, flag: '\\Seen' });
    decisions.push(
      decide({
        ...base,
        ...ids,
        branch: 'IMDN-TX-3',
        outcome: flag ? 'SET_SEEN' : 'NO_FLAG',
        summary: flag
          ? `The served user displayed message ${imdn.messageId}; its stored copy is marked \\Seen.`
          : imdn.status !== 'displayed'
            ? `Display status "${imdn.status}" does not mark message ${imdn.messageId} as read.`
            : !policy.setSeenOnDisplay
              ? 'Policy setSeenOnDisplay is off, so the stored copy is not marked \\Seen.'
              : `Message ${imdn.messageId} is not in the Message Store; nothing to mark.`,
        inputs: { status: imdn.status, 'policy.setSeenOnDisplay': policy.setSeenOnDisplay, storeRef: original?.storeRef ?? 'none' },
      }),
    );
  }
  decisions.push(tx4());
  return { effects, decisions, forwarded: forward };
}
