// IMDN-RX (SPEC §7): a disposition notification about a message the served user sent arrives at
// the terminating PF. Each IMDN (each part of an aggregate) is checked against the IMDN-RX cache
// so multi-device and SMS-fallback duplicates do not reach the served user.
import { decide, type Decision } from '../decision';
import type { Effect, ImdnCacheKey } from '../effects';
import type { CpmSession, MessageIndexEntry } from '../model';
import type { CpimMessage } from '../parse/cpim';
import { cpimHeader } from '../parse/cpim';
import { parseImdnBody, type ImdnBodyPart, type ImdnNotification } from '../parse/imdn';
import { normaliseUri } from '../parse/uri';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { header, type SipMessageView } from '../message';
import { bodyText } from '../parse/content-encoding';
import { OverlayCache, type ImdnCacheReader } from './cache';
import { decideDedup, dedupSummary } from './dedup';

/** One IMDN to deliver to the served user (IMDN-DLV), parsed or, for IMDN-RX-1x, raw. */
export interface ImdnPart {
  /** the text to deliver: one CPIM message, or the unchanged request body when it did not parse */
  raw: string;
  /** the Content-Encoding `raw` still carries (a whole compressed body relayed as it came) */
  encoding?: string;
  /** 'message/cpim' for a parsed part; the request's own Content-Type for an unchanged body */
  contentType: string;
  parsed: boolean;
  cpim?: CpimMessage;
  imdn?: ImdnNotification;
  /** normalised IMDN-RX-key recipient (§3.5) */
  recipient?: string;
  /** what the PF knows about the original message, when indexed */
  original?: MessageIndexEntry;
}

export interface ReceiveImdnInput {
  /** the original sender's AoR (normalised) */
  servedUser: string;
  message: SipMessageView;
  cache: ImdnCacheReader;
  messageIndex: (messageId: string) => MessageIndexEntry | undefined;
  session: (sessionId: string) => Pick<CpmSession, 'isComposingFrom'> | undefined;
  policy: Policy;
  now: number;
  /** server transaction of the incoming MESSAGE; answered 200 here when every part is dropped */
  txn?: string;
}

/**
 * The recipient the notification speaks for (IMDN-RX-key, AMB-9): CPIM From, else the first
 * P-Asserted-Identity, else the SIP From.
 */
export function notificationRecipient(cpim: CpimMessage | undefined, message: SipMessageView): { recipient: string; source: string } {
  const from = cpim ? cpimHeader(cpim, 'From') : undefined;
  if (from) return { recipient: normaliseUri(from), source: 'CPIM From' };
  const pai = header(message, 'p-asserted-identity');
  if (pai) return { recipient: normaliseUri(pai), source: 'P-Asserted-Identity' };
  return { recipient: normaliseUri(header(message, 'from') ?? ''), source: 'SIP From' };
}

export function receiveImdn(input: ReceiveImdnInput): EngineResult & { forward: ImdnPart[] } {
  const { servedUser, message, policy, now } = input;
  const ttl = policy.imdnCacheTtlSec;
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const forward: ImdnPart[] = [];
  const callId = header(message, 'call-id');
  const sipContentType = header(message, 'content-type') ?? '';
  const overlay = new OverlayCache(input.cache, 'RX');

  const body = parseImdnBody(sipContentType, bodyText(message));
  const aggregated = body.ok && body.value.aggregated;
  // A whole compressed body is delivered as it came (its parts of an aggregate are PF-made text).
  const encoding = message.text !== undefined && !aggregated ? header(message, 'content-encoding') : undefined;
  const whole = (p: ImdnBodyPart): ImdnBodyPart => (encoding ? { ...p, raw: message.body } : p);
  const parts: ImdnBodyPart[] = body.ok
    ? body.value.parts.map(whole)
    : [{ ok: false, raw: message.body, error: body.error }];
  const base = { procedure: 'IMDN-RX' as const, servedUser, callId };

  for (const [index, part] of parts.entries()) {
    const partInfo = aggregated ? { part: index + 1, parts: parts.length } : {};
    // A whole body that is not an IMDN at all is forwarded unchanged with its own type.
    const rawType = body.ok ? 'message/cpim' : sipContentType;

    if (policy.imdnDirectForward) {
      const { recipient } = notificationRecipient(part.cpim, message);
      forward.push(toPart(part, rawType, recipient, input));
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-RX-0',
          outcome: 'FORWARD',
          summary: `Policy forwards notifications directly: ${describe(part)} goes to ${servedUser} without duplicate filtering.`,
          inputs: { 'policy.imdnDirectForward': true, ...partInfo, ...(part.ok ? { messageId: part.imdn.messageId, type: part.imdn.type, status: part.imdn.status } : {}) },
          messageId: part.ok ? part.imdn.messageId : undefined,
          disposition: part.ok ? part.imdn.type : undefined,
        }),
      );
      continue;
    }

    if (!part.ok) {
      forward.push(toPart(part, rawType, undefined, input));
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-RX-1x',
          outcome: 'FORWARD',
          summary: `The notification body could not be read (${part.error.message}); it is forwarded unchanged and not cached.`,
          inputs: { error: part.error.code, detail: part.error.message, ...partInfo },
        }),
      );
      continue;
    }

    const { imdn } = part;
    const { recipient, source } = notificationRecipient(part.cpim, message);
    const key: ImdnCacheKey = { servedUser, peer: recipient, messageId: imdn.messageId };
    const original = input.messageIndex(imdn.messageId);
    const isChat = original?.kind === 'CHAT';
    const sess = isChat && original?.sessionId ? input.session(original.sessionId) : undefined;
    const composers = (sess?.isComposingFrom ?? []).map(normaliseUri);
    const isComposingSeen = composers.includes(recipient);
    const entry = overlay.get(key, now, ttl);
    const cacheEmptyForUser = overlay.isEmptyFor(servedUser, now, ttl);
    const o = decideDedup({ imdn, entry, cacheEmptyForUser, isChat, isComposingSeen, policy });

    if (o.cachePut) {
      const put: Effect = { kind: 'CACHE_PUT', cache: 'RX', key, type: imdn.type, status: imdn.status };
      effects.push(put);
      overlay.put(put, now, ttl);
    }
    if (o.forward) forward.push(toPart(part, 'message/cpim', recipient, input, { entry: original }));
    else effects.push({ kind: 'DROP', reason: o.dropReason ?? 'duplicate' });

    decisions.push(
      decide({
        ...base,
        branch: o.branch,
        outcome: o.forward ? 'FORWARD' : 'DROP',
        summary: dedupSummary(o, imdn, recipient, servedUser),
        inputs: {
          messageId: imdn.messageId,
          type: imdn.type,
          status: imdn.status,
          polarity: imdn.polarity,
          recipient,
          recipientSource: source,
          cacheKey: `${key.servedUser}|${key.peer}|${key.messageId}`,
          cacheEntry: entry ? { types: entry.types, firstSeen: entry.firstSeen } : 'absent',
          cacheEmptyForServedUser: cacheEmptyForUser,
          messageKind: original?.kind ?? 'unknown',
          ...(isChat ? { isComposingFrom: composers } : {}),
          'policy.imdnDedupKey': policy.imdnDedupKey,
          'policy.imdnCacheTtlSec': ttl,
          'policy.isComposingRuleWithoutCacheHit': policy.isComposingRuleWithoutCacheHit,
          'policy.suppressInterworkingAfterDelivery': policy.suppressInterworkingAfterDelivery,
          ...partInfo,
        },
        messageId: imdn.messageId,
        disposition: imdn.type,
        sessionId: original?.sessionId,
      }),
    );
  }

  // IMDN-RX-resp (AMB-40): nothing left to deliver → the sender gets 200 now; otherwise §8 answers.
  if (forward.length === 0) {
    effects.push({ kind: 'SEND_RESP', txn: input.txn ?? 'incoming', code: 200, reason: 'OK' });
  }
  return { effects, decisions, forward };
}

function describe(part: ImdnBodyPart): string {
  return part.ok ? `the ${part.imdn.type} notification (${part.imdn.status}) for message ${part.imdn.messageId}` : 'the unparsed notification';
}

/** `original`: the message index's answer when it was already asked (each question is a recorded lookup, D-295) */
function toPart(part: ImdnBodyPart, contentType: string, recipient: string | undefined, input: ReceiveImdnInput, original?: { entry: MessageIndexEntry | undefined }): ImdnPart {
  const encoding = input.message.text !== undefined && part.raw === input.message.body ? header(input.message, 'content-encoding') : undefined;
  return {
    raw: part.raw,
    ...(encoding ? { encoding } : {}),
    contentType,
    parsed: part.ok,
    cpim: part.cpim,
    imdn: part.ok ? part.imdn : undefined,
    recipient,
    original: original ? original.entry : part.ok ? input.messageIndex(part.imdn.messageId) : undefined,
  };
}
