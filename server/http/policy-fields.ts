// How the console presents each service-provider policy value (SPEC §2): its group, the kind of
// control, the choices, and one line of help. Validation itself is the engine's validatePolicy.
import type { Policy } from '../engine/policy';

export type FieldKind = 'boolean' | 'integer' | 'choice' | 'lines' | 'json' | 'text';

export interface PolicyField {
  /** dotted path into Policy, e.g. imdnAggregation.windowMs */
  path: string;
  /** the SPEC §2 name */
  specName: string;
  group: 'BYE' | 'Participants' | 'IMDN' | 'Storage' | 'Dispatch' | 'User defaults';
  kind: FieldKind;
  choices?: string[];
  help: string;
}

const f = (path: string, group: PolicyField['group'], kind: FieldKind, help: string, choices?: string[]): PolicyField => ({
  path,
  specName: path === 'pfMode' ? 'pf.mode' : `policy.${path}`,
  group,
  kind,
  help,
  ...(choices ? { choices } : {}),
});

export const POLICY_FIELDS: PolicyField[] = [
  // proxy is not offered: the SIP shell is a B2BUA only (DECISIONS D-144)
  f('pfMode', 'BYE', 'choice', 'SIP role of the PF for the session (B2BUA; proxy mode is not available in this build)', ['b2bua']),
  f('directDeliveryToAllClients', 'BYE', 'boolean', 'originated chat messages are delivered directly to every suitable client (multi-device forking)'),
  f('isolateClientLegErrors', 'BYE', 'boolean', 'answer a failed client leg’s BYE at once while another suitable client stays connected'),
  f('propagateReasonHeader', 'BYE', 'boolean', 'copy the received Reason into the BYEs the PF generates'),
  f('byeRelayTimeoutMs', 'BYE', 'integer', 'longest wait (ms) for the far-side 200 before answering the BYE originator'),
  f('reinviteGlareRetries', 'BYE', 'integer', 're-INVITE retries after 491 before the fallback'),
  f('allowLongLivedGroupRestart', 'BYE', 'boolean', 'the user may restart long-lived CPM Group Sessions'),
  f('remainOnConnectionLossFor1to1', 'BYE', 'boolean', 'apply the “remain” behaviour to 1-1 sessions too'),
  f('iwfByeScope', 'BYE', 'choice', 'what a BYE from one of several IWFs closes', ['WHOLE_SESSION', 'IWF_STREAMS_ONLY']),
  f('answerNetworkByeImmediately', 'BYE', 'boolean', 'answer 200 to a connection-loss BYE at once'),
  f('gsoRosterTimeoutMs', 'Participants', 'integer', 'longest wait (ms) for the first NOTIFY before writing a Group State Object'),
  f('confSubscribeExpiresSec', 'Participants', 'integer', 'Expires (s) of the participant-info SUBSCRIBE'),
  f('imdnDirectForward', 'IMDN', 'boolean', 'forward disposition notifications without duplicate filtering'),
  f('imdnCacheTtlSec', 'IMDN', 'integer', 'how long (s) message-ids are cached'),
  f('imdnDedupKey', 'IMDN', 'choice', 'what counts as a disposition of the same type already sent', ['STATUS_RANKED', 'TYPE', 'TYPE_AND_STATUS']),
  f('isComposingRuleWithoutCacheHit', 'IMDN', 'boolean', 'apply the isComposing rule when the message-id is not cached yet'),
  f('suppressInterworkingAfterDelivery', 'IMDN', 'boolean', 'drop interworking notifications after a delivery one'),
  f('imdnAggregation.enabled', 'IMDN', 'boolean', 'aggregate disposition notifications'),
  f('imdnAggregation.maxPerBody', 'IMDN', 'integer', 'most notifications in one aggregate'),
  f('imdnAggregation.windowMs', 'IMDN', 'integer', 'collection window (ms)'),
  f('imdnAggregation.requireClientTag', 'IMDN', 'boolean', 'aggregate only toward clients that registered imdn-aggregation'),
  f('untaggedClientsSuitable', 'Dispatch', 'boolean', 'a client that registered no CPM feature tag (a stock SIP phone) is suitable for chat, IMDN and sessions'),
  f('setSeenOnDisplay', 'IMDN', 'boolean', 'set \\Seen on the stored message when a display notification passes'),
  f('nonImdnUserAgentPatterns', 'IMDN', 'lines', 'User-Agent patterns (regular expressions, one a line) of clients that send no IMDNs'),
  f('homeDomains', 'IMDN', 'lines', 'SIP domains of the home network, one a line'),
  f('homeNumberRanges', 'IMDN', 'lines', 'E.164 prefixes of the home network, one a line (e.g. +1555123)'),
  f('checkXdmsForImdnStorage', 'Storage', 'boolean', 'look up the user’s storage rule before storing an IMDN'),
  f('recordingEnabled', 'Storage', 'boolean', 'service-provider-level recording for every user'),
  f('iariSkipMap', 'Dispatch', 'json', 'Accept-Contact string → services to skip (JSON object of lists)'),
  f('unmatchedRequestAction', 'Dispatch', 'choice', 'what happens to a terminating request no CPM handler matches', ['REJECT', 'PROXY']),
  f('unmatchedRequestResponse', 'Dispatch', 'integer', 'the SIP status used by REJECT'),
  f('unmatchedNextHop', 'Dispatch', 'text', 'where PROXY sends the request (sip: URI; empty: the next Route)'),
  f('defaultUserPrefs.allowOfflineStorage', 'User defaults', 'boolean', 'allow-offline-storage when the user’s preferences cannot be read'),
  f('defaultUserPrefs.allowStore', 'User defaults', 'boolean', 'allow-store when the user’s preferences cannot be read'),
  f('defaultUserPrefs.allowDefer', 'User defaults', 'boolean', 'allow-defer when the user’s preferences cannot be read'),
  f('defaultUserPrefs.hasCpmOfflineStorageRule', 'User defaults', 'boolean', 'assume a CPM offline-storage rule exists'),
];

/** every top-level key has a field, so the form can never silently drop a setting */
export const COVERED: Array<keyof Policy> = [...new Set(POLICY_FIELDS.map((x) => x.path.split('.')[0] as keyof Policy))];
