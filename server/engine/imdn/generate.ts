// IMDN-GEN (SPEC §10): the PF writes a delivery notification on the served user's behalf when a
// message failed, or reached a client that will not report it. The notification is built as the
// receiving entity would (RFC 5438 §7.2.1.1), recorded in the IMDN-TX cache first (AMB-46) so a
// later real notification is judged against it, and never stored (IMDN-GEN-7).
import { decide, type Decision } from '../decision';
import { pfTimer, type Effect, type Headers } from '../effects';
import type { DeferredItem } from '../effects';
import { cpimHeader, formatCpim, imdnHeader, imdnHeaderValues, parseCpim, type CpimMessage } from '../parse/cpim';
import { CPM_ICSI, type CpmService } from '../parse/feature-tags';
import { extractUri, normaliseUri } from '../parse/uri';
import { escapeXml } from '../parse/xml';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import { aggregateBody } from './aggregate';
import type { ImdnCacheReader } from './cache';
import { decideDedup } from './dedup';
import { homeNetworkOf } from './network';

export interface OriginalForGen {
  kind: 'STANDALONE' | 'CHAT' | 'FT';
  /** the original message's CPIM envelope */
  cpim: CpimMessage;
  conversationId?: string;
  contributionId?: string;
}

export interface ClientCapability {
  userAgent?: string;
  /** from the MSRP SDP negotiated with the client (chat / FT sessions) */
  sdp?: { acceptTypes: string[]; acceptWrappedTypes: string[] };
}

export type GenEvent =
  | { kind: 'DELIVERY_FAILED' }
  | { kind: 'DEFERRED_EXPIRED' }
  | { kind: 'DELIVERED'; client: ClientCapability; deferred?: boolean }
  | { kind: 'CHAT_DISCARDED' }
  | { kind: 'FT_MSRP_ERROR' };

export interface GenBuffer {
  key: string;
  timer: string;
  servedUser: string;
  requestUri: string;
  headers: Headers;
  items: string[];
}
export type GenBuffers = Record<string, GenBuffer>;

export const GEN_TIMER_PREFIX = 'imdn-gen-agg|';

export interface GenerateImdnInput {
  servedUser: string;
  original: OriginalForGen;
  event: GenEvent;
  /** imdn.Message-ID of the notification to generate (the shell supplies unique ids) */
  newMessageId: string;
  policy: Policy;
  now: number;
  /** leg for the outgoing request (the SIP/IP core); default 'core' */
  leg?: string;
  buffers?: GenBuffers;
  /**
   * The IMDN-TX cache. A report the cache shows as already sent for this (served user, original
   * sender, message) is not generated again (IMDN-GEN-cache, D-123): two clients that cannot
   * report, or a client's own report before the PF's, give the sender one notification.
   * Omit it only where no earlier report can exist (the BYE procedures' one-off failures).
   */
  cache?: ImdnCacheReader;
}

export interface GeneratedImdn {
  requestUri: string;
  status: 'delivered' | 'failed';
  cpim: string;
}

const SERVICE: Record<OriginalForGen['kind'], CpmService> = { STANDALONE: 'msg', CHAT: 'session', FT: 'filetransfer' };

export function requestedDispositions(cpim: CpimMessage): Set<string> {
  const out = new Set<string>();
  for (const v of imdnHeaderValues(cpim, 'Disposition-Notification')) {
    for (const t of v.split(',')) if (t.trim()) out.add(t.trim().toLowerCase());
  }
  return out;
}

/**
 * An item of the deferred queue expired undelivered (8.3.1.6, §11.3): what the PF reports on the
 * user's behalf. A standalone message that was never delivered is IMDN-GEN-1 (DEFERRED_EXPIRED);
 * a chat message the PF held for a disconnected user (BYE-4-R-ii) is a chat message "discarded
 * after expiry according to user preferences", IMDN-GEN-3 (CHAT_DISCARDED). Deferred IMDNs and
 * other session items get nothing, nor does an item without a readable CPIM envelope (there is
 * nobody to address).
 */
export function expiredDeferredItem(item: DeferredItem): { original: OriginalForGen; event: GenEvent } | undefined {
  const kind = item.kind === 'MESSAGE' ? 'STANDALONE' : item.kind === 'CHAT_MESSAGE' ? 'CHAT' : undefined;
  if (!kind || !/^\s*message\/cpim/i.test(item.contentType)) return undefined;
  const cpim = parseCpim(item.body);
  if (!cpim.ok) return undefined;
  const first = (name: string) => {
    const key = Object.keys(item.headers).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key === undefined ? undefined : item.headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    original: { kind, cpim: cpim.value, conversationId: first('Conversation-ID'), contributionId: first('Contribution-ID') },
    event: kind === 'CHAT' ? { kind: 'CHAT_DISCARDED' } : { kind: 'DEFERRED_EXPIRED' },
  };
}

function matchesNonImdnUa(ua: string | undefined, patterns: string[]): string | undefined {
  if (!ua) return undefined;
  for (const p of patterns) {
    try {
      if (new RegExp(p, 'i').test(ua)) return p;
    } catch {
      // an invalid pattern from configuration matches nothing (policy-validate reports it)
    }
  }
  return undefined;
}

function sdpLacksImdn(sdp: ClientCapability['sdp']): boolean {
  if (!sdp) return false;
  const has = (l: string[]) => l.some((t) => t.trim().toLowerCase() === 'message/imdn+xml' || t.trim() === '*');
  return !has(sdp.acceptTypes) && !has(sdp.acceptWrappedTypes);
}

function iso(now: number): string {
  return new Date(now).toISOString();
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The generated IMDN's XML (§10 IMDN-GEN-fmt). */
export function generatedImdnXml(args: { messageId: string; datetime?: string; recipient: string; originalRecipient: string; status: 'delivered' | 'failed' }): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn">',
    `  <message-id>${escapeXml(args.messageId)}</message-id>`,
    ...(args.datetime ? [`  <datetime>${escapeXml(args.datetime)}</datetime>`] : []),
    `  <recipient-uri>${escapeXml(args.recipient)}</recipient-uri>`,
    `  <original-recipient-uri>${escapeXml(args.originalRecipient)}</original-recipient-uri>`,
    '  <delivery-notification>',
    '    <status>',
    `      <${args.status}/>`,
    '    </status>',
    '  </delivery-notification>',
    '</imdn>',
  ];
  return lines.join('\r\n');
}

export function generateImdn(input: GenerateImdnInput): EngineResult & { buffers: GenBuffers; generated?: GeneratedImdn } {
  const { original, event, policy, servedUser, now } = input;
  const buffers: GenBuffers = { ...(input.buffers ?? {}) };
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const requested = requestedDispositions(original.cpim);
  const messageId = imdnHeader(original.cpim, 'Message-ID') ?? '';
  const senderValue = cpimHeader(original.cpim, 'From') ?? '';
  const base = { procedure: 'IMDN-GEN' as const, servedUser, messageId, disposition: 'delivery' };
  const reqList = [...requested];
  const nothing = (branch: string, summary: string, inputs: Record<string, unknown> = {}) => {
    decisions.push(decide({ ...base, branch, outcome: 'NONE', summary, inputs: { requested: reqList, event: event.kind, ...inputs } }));
    return { effects, decisions, buffers };
  };

  let status: 'delivered' | 'failed';
  let branch: string;
  let why: string;
  let extra: Record<string, unknown> = {};
  switch (event.kind) {
    case 'DELIVERY_FAILED':
    case 'DEFERRED_EXPIRED':
      if (!requested.has('negative-delivery')) {
        return nothing('IMDN-GEN-1x', `Delivery of message ${messageId} failed, but the sender did not ask for negative-delivery notifications, so none is sent.`);
      }
      status = 'failed';
      branch = 'IMDN-GEN-1';
      why = event.kind === 'DEFERRED_EXPIRED' ? 'the deferred message expired undelivered' : 'the message could not be delivered or deferred';
      break;
    case 'CHAT_DISCARDED':
      if (!requested.has('negative-delivery')) {
        return nothing('IMDN-GEN-3', `Chat message ${messageId} expired and was discarded; negative-delivery was not requested, so no notification is sent.`);
      }
      status = 'failed';
      branch = 'IMDN-GEN-3';
      why = 'the held chat message expired and was discarded';
      break;
    case 'FT_MSRP_ERROR':
      if (!requested.has('negative-delivery')) {
        return nothing('IMDN-GEN-4', `The file transfer ${messageId} failed in MSRP; negative-delivery was not requested, so no notification is sent.`);
      }
      status = 'failed';
      branch = 'IMDN-GEN-4';
      why = 'the MSRP transfer of the file failed';
      break;
    case 'DELIVERED': {
      const uaMatch = original.kind === 'CHAT' ? matchesNonImdnUa(event.client.userAgent, policy.nonImdnUserAgentPatterns) : undefined;
      const sdpNo = original.kind !== 'STANDALONE' && sdpLacksImdn(event.client.sdp);
      extra = { userAgent: event.client.userAgent, 'policy.nonImdnUserAgentPatterns': policy.nonImdnUserAgentPatterns, sdp: event.client.sdp, messageKind: original.kind, deferred: !!event.deferred };
      if (!uaMatch && !sdpNo) {
        return nothing('IMDN-GEN-2x', `The client that received message ${messageId} sends its own notifications, so the PF generates none.`, extra);
      }
      if (!requested.has('positive-delivery')) {
        return nothing('IMDN-GEN-2y', `The client cannot send notifications, but the sender did not ask for positive-delivery, so none is generated.`, extra);
      }
      status = 'delivered';
      branch = uaMatch ? 'IMDN-GEN-2-UA' : 'IMDN-GEN-2-SDP';
      why = uaMatch
        ? `the client's User-Agent matches ${uaMatch} and does not send notifications for chat messages`
        : 'the client’s MSRP SDP does not accept message/imdn+xml';
      if (event.deferred) why += ' (deferred delivery)';
      break;
    }
  }

  // IMDN-GEN-cache (D-123): judged like a device's report under IMDN-TX-2 (seed 8.2.4, "a similar
  // caching strategy"): the same rules, the same cache, the same key.
  const originalSender = normaliseUri(senderValue);
  const key = { servedUser, peer: originalSender, messageId };
  if (input.cache) {
    const ttl = policy.imdnCacheTtlSec;
    const entry = input.cache.get(key, now, ttl);
    const o = decideDedup({
      imdn: { messageId, type: 'delivery', status, polarity: status === 'delivered' ? 'positive' : 'negative' },
      entry,
      cacheEmptyForUser: input.cache.isEmptyFor(servedUser, now, ttl),
      isChat: original.kind === 'CHAT',
      isComposingSeen: false,
      policy,
    });
    if (!o.forward) {
      decisions.push(
        decide({
          ...base,
          branch: 'IMDN-GEN-cache',
          outcome: 'DUPLICATE',
          summary: `A ${status} notification for message ${messageId} would be due (${branch}), but the IMDN-TX cache shows ${o.branch === 'IMDN-RX-2a-ii-1' ? 'an interworking notification' : 'a delivery notification of that rank'} already sent to ${originalSender}, so none is generated (rule ${o.branch}).`,
          inputs: { requested: reqList, event: event.kind, rule: o.branch, wouldBe: branch, cacheEntry: entry ? { types: entry.types, firstSeen: entry.firstSeen } : 'absent', 'policy.imdnDedupKey': policy.imdnDedupKey, ...extra },
        }),
      );
      return { effects, decisions, buffers };
    }
  }

  // Build the request (IMDN-GEN-route, IMDN-GEN-fmt).
  const recordRoutes = imdnHeaderValues(original.cpim, 'IMDN-Record-Route');
  const requestUri = recordRoutes.length > 0 ? extractUri(recordRoutes[0]) : extractUri(senderValue);
  const toValue = cpimHeader(original.cpim, 'To') ?? '';
  const originalTo = imdnHeader(original.cpim, 'Original-To');
  const xml = generatedImdnXml({
    messageId,
    datetime: cpimHeader(original.cpim, 'DateTime'),
    recipient: servedUser,
    originalRecipient: extractUri(originalTo ?? toValue),
    status,
  });
  const cpimHeaders = [
    { name: 'From', value: `<${servedUser}>` },
    { name: 'To', value: senderValue.includes('<') ? senderValue : `<${senderValue}>` },
    { name: 'NS', value: 'imdn <urn:ietf:params:imdn>' },
    ...recordRoutes.map((r) => ({ name: 'imdn.IMDN-Route', value: r })),
    { name: 'imdn.Message-ID', value: input.newMessageId },
    { name: 'DateTime', value: iso(now) },
  ];
  const cpimText = formatCpim(
    cpimHeaders,
    [
      { name: 'Content-Type', value: 'message/imdn+xml' },
      { name: 'Content-Disposition', value: 'notification' },
      { name: 'Content-Length', value: String(utf8Length(xml)) },
    ],
    xml,
  );
  const icsi = CPM_ICSI[SERVICE[original.kind]];
  const sipHeaders: Headers = {
    From: `<${servedUser}>`,
    To: senderValue.includes('<') ? senderValue : `<${senderValue}>`,
    'P-Asserted-Service': icsi,
    'Accept-Contact': `*;+g.3gpp.icsi-ref="${icsi.replace(/:/g, '%3A')}"`,
    ...(original.conversationId ? { 'Conversation-ID': original.conversationId } : {}),
    ...(original.contributionId ? { 'Contribution-ID': original.contributionId } : {}),
  };

  // IMDN-GEN-cache (AMB-46): the cache entry comes before the request leaves.
  effects.push({ kind: 'CACHE_PUT', cache: 'TX', key, type: 'delivery', status });
  decisions.push(
    decide({
      ...base,
      branch,
      outcome: 'GENERATE',
      summary: `A ${status} notification for message ${messageId} is sent to ${originalSender} on behalf of ${servedUser}: ${why}.`,
      inputs: { requested: reqList, event: event.kind, requestUri, imdnRecordRoutes: recordRoutes, ...extra },
    }),
  );

  const generated: GeneratedImdn = { requestUri, status, cpim: cpimText };
  const network = homeNetworkOf(senderValue, policy);
  const agg = policy.imdnAggregation;
  if (agg.enabled && network.home) {
    // one aggregate is one request: its Conversation-ID / Contribution-ID must hold for every part
    const key = `${servedUser}|${originalSender}|${requestUri}|${icsi}|${original.conversationId ?? ''}|${original.contributionId ?? ''}`;
    const existing = buffers[key];
    const buf: GenBuffer = existing
      ? { ...existing, items: [...existing.items, cpimText] }
      : { key, timer: `${GEN_TIMER_PREFIX}${key}`, servedUser, requestUri, headers: sipHeaders, items: [cpimText] };
    if (!existing) effects.push({ kind: 'START_TIMER', timer: pfTimer(buf.timer), ms: agg.windowMs });
    decisions.push(
      decide({
        ...base,
        branch: 'IMDN-GEN-6',
        outcome: 'BUFFER',
        summary: `${originalSender} is in the home network and aggregation is on: the notification waits up to ${agg.windowMs} ms to share one request.`,
        inputs: { network, 'policy.imdnAggregation': agg, buffered: buf.items.length },
      }),
    );
    if (buf.items.length >= Math.max(1, agg.maxPerBody)) {
      delete buffers[key];
      effects.push({ kind: 'CANCEL_TIMER', timer: pfTimer(buf.timer) }, ...flushEffects(buf, input.leg));
    } else {
      buffers[key] = buf;
    }
    return { effects, decisions, buffers, generated };
  }
  if (agg.enabled) {
    decisions.push(
      decide({
        ...base,
        branch: 'IMDN-GEN-5',
        outcome: 'SEND_SINGLE',
        summary: `${originalSender} is outside the home network (${network.basis === 'NUMBER_RANGE' ? 'number not in the home ranges' : network.basis === 'DOMAIN' ? 'domain not a home domain' : 'address cannot be placed'}), so the notification goes alone, never aggregated.`,
        inputs: { network, 'policy.homeDomains': policy.homeDomains, 'policy.homeNumberRanges': policy.homeNumberRanges },
      }),
    );
  }
  effects.push({ kind: 'SEND_REQ', leg: input.leg ?? 'core', method: 'MESSAGE', uri: requestUri, headers: { ...sipHeaders, 'Content-Type': 'message/cpim' }, body: cpimText });
  return { effects, decisions, buffers, generated };
}

function flushEffects(buf: GenBuffer, leg = 'core'): Effect[] {
  const body = buf.items.length === 1 ? { contentType: 'message/cpim', body: buf.items[0] } : aggregateBody(buf.key, buf.items);
  return [{ kind: 'SEND_REQ', leg, method: 'MESSAGE', uri: buf.requestUri, headers: { ...buf.headers, 'Content-Type': body.contentType }, body: body.body }];
}

/** The GEN aggregation window fired: send the buffered notifications (IMDN-GEN-6). */
export function flushGeneratedImdns(args: { buffers: GenBuffers; timer: string; leg?: string }): EngineResult & { buffers: GenBuffers } {
  const buf = Object.values(args.buffers).find((b) => b.timer === args.timer);
  if (!buf) return { effects: [], decisions: [], buffers: args.buffers };
  const buffers = { ...args.buffers };
  delete buffers[buf.key];
  return {
    effects: flushEffects(buf, args.leg),
    decisions: [
      decide({
        branch: 'IMDN-GEN-6',
        procedure: 'IMDN-GEN',
        outcome: 'FLUSH',
        summary: `${buf.items.length} generated notification(s) for the same sender are sent in one request.`,
        inputs: { requestUri: buf.requestUri, parts: buf.items.length },
        servedUser: buf.servedUser,
      }),
    ],
    buffers,
  };
}
