// Service-provider policy (SPEC §2). One object, every name as in the spec (without the
// `policy.` prefix; `pf.mode` is `pfMode`). Defaults are the spec's (AMB-28).
import type { UserPrefs } from './model';

export type SkipService = 'INTERWORKING' | 'DEFERRAL' | 'MESSAGE_STORE' | 'BLACKLIST' | 'USER_PREFS';

export interface Policy {
  pfMode: 'proxy' | 'b2bua';
  directDeliveryToAllClients: boolean;
  /**
   * A client whose registration names no CPM feature tag at all (a stock SIP phone) counts as
   * suitable for every CPM service (DECISIONS D-111).
   */
  untaggedClientsSuitable: boolean;
  isolateClientLegErrors: boolean;
  propagateReasonHeader: boolean;
  byeRelayTimeoutMs: number;
  gsoRosterTimeoutMs: number;
  reinviteGlareRetries: number;
  allowLongLivedGroupRestart: boolean;
  remainOnConnectionLossFor1to1: boolean;
  iwfByeScope: 'IWF_STREAMS_ONLY' | 'WHOLE_SESSION';
  answerNetworkByeImmediately: boolean;
  imdnDirectForward: boolean;
  imdnCacheTtlSec: number;
  imdnDedupKey: 'STATUS_RANKED' | 'TYPE' | 'TYPE_AND_STATUS';
  isComposingRuleWithoutCacheHit: boolean;
  suppressInterworkingAfterDelivery: boolean;
  imdnAggregation: {
    enabled: boolean;
    maxPerBody: number;
    windowMs: number;
    requireClientTag: boolean;
  };
  checkXdmsForImdnStorage: boolean;
  recordingEnabled: boolean;
  setSeenOnDisplay: boolean;
  /** regular-expression sources, matched case-insensitively against User-Agent / Server */
  nonImdnUserAgentPatterns: string[];
  homeDomains: string[];
  homeNumberRanges: string[];
  iariSkipMap: Record<string, SkipService[]>;
  unmatchedRequestAction: 'REJECT' | 'PROXY';
  unmatchedRequestResponse: number;
  unmatchedNextHop?: string;
  confSubscribeExpiresSec: number;
  defaultUserPrefs: Omit<UserPrefs, 'source'>;
}

export const DEFAULT_POLICY: Policy = {
  pfMode: 'b2bua',
  directDeliveryToAllClients: false,
  untaggedClientsSuitable: true,
  isolateClientLegErrors: true,
  propagateReasonHeader: true,
  byeRelayTimeoutMs: 5000,
  gsoRosterTimeoutMs: 2000,
  reinviteGlareRetries: 1,
  allowLongLivedGroupRestart: false,
  remainOnConnectionLossFor1to1: false,
  iwfByeScope: 'WHOLE_SESSION',
  answerNetworkByeImmediately: true,
  imdnDirectForward: false,
  imdnCacheTtlSec: 604800,
  imdnDedupKey: 'STATUS_RANKED',
  isComposingRuleWithoutCacheHit: false,
  suppressInterworkingAfterDelivery: false,
  imdnAggregation: { enabled: false, maxPerBody: 10, windowMs: 1000, requireClientTag: true },
  checkXdmsForImdnStorage: true,
  recordingEnabled: false,
  setSeenOnDisplay: true,
  nonImdnUserAgentPatterns: ['\\bCPM-client/OMA1\\.0\\b'],
  homeDomains: [],
  homeNumberRanges: [],
  iariSkipMap: {},
  unmatchedRequestAction: 'REJECT',
  unmatchedRequestResponse: 403,
  unmatchedNextHop: undefined,
  confSubscribeExpiresSec: 3600,
  defaultUserPrefs: {
    allowOfflineStorage: false,
    allowStore: false,
    allowDefer: true,
    hasCpmOfflineStorageRule: false,
  },
};

/** A policy with some values overridden; nested imdnAggregation / defaultUserPrefs merge field by field. */
export function withPolicy(overrides: PolicyOverrides = {}): Policy {
  return {
    ...DEFAULT_POLICY,
    ...overrides,
    imdnAggregation: { ...DEFAULT_POLICY.imdnAggregation, ...overrides.imdnAggregation },
    defaultUserPrefs: { ...DEFAULT_POLICY.defaultUserPrefs, ...overrides.defaultUserPrefs },
  };
}

export type PolicyOverrides = Partial<Omit<Policy, 'imdnAggregation' | 'defaultUserPrefs'>> & {
  imdnAggregation?: Partial<Policy['imdnAggregation']>;
  defaultUserPrefs?: Partial<Policy['defaultUserPrefs']>;
};
