// Test support for PIN: the R1 fixture (MATRIX) and NOTIFY builders in the shape of E14–E16.
import type { CpmSession, UserPrefs } from '../model';
import type { SipMessageView } from '../message';
import { withPolicy } from '../policy';
import { onConfNotify, type ConfNotifyInput, type NotifyTarget } from './pin';
import { ALICE, GROUP } from './conf-fixtures';

export const SUB_CALL_ID = 'sub-41f0@cpm-pf.alpha.example';
export const T0 = Date.UTC(2015, 10, 10, 11, 0, 0);

export function prefs(flags: Partial<Pick<UserPrefs, 'allowStore' | 'allowOfflineStorage' | 'allowDefer'>> = {}): UserPrefs {
  return { allowStore: false, allowOfflineStorage: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS', ...flags };
}

/** R1 without a roster yet: group session after BYE-4-R, own subscription active. */
export function r1(overrides: Partial<CpmSession> = {}): CpmSession {
  return {
    id: 'S',
    servedUser: ALICE,
    type: 'GROUP',
    conversationId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    contributionId: 'abcdef12-3456-7890-abcd-ef0123456789',
    groupSessionIdentity: GROUP,
    legs: [],
    interworked: false,
    usesSessionHistoryFolder: true,
    mode: 'REMAIN_DISCONNECTED',
    interceptEnabled: true,
    participants: { version: 0, confActive: true, users: {}, source: 'NONE' },
    confSubscription: { state: 'ACTIVE', dialog: { callId: SUB_CALL_ID, localTag: 'pfsub1', remoteTag: 'cfsub9' } },
    isComposingFrom: [],
    isComposingSentByServedClients: false,
    ...overrides,
  };
}

export function notify(subscriptionState: string, body = '', extra: Record<string, string[]> = {}): SipMessageView {
  return {
    method: 'NOTIFY',
    uri: 'sip:cpm-pf.alpha.example:5060;transport=tcp',
    headers: {
      'call-id': [SUB_CALL_ID],
      from: [`<${GROUP}>;tag=cfsub9`],
      to: [`<${ALICE}>;tag=pfsub1`],
      event: ['conference'],
      'subscription-state': [subscriptionState],
      ...(body ? { 'content-type': ['application/conference-info+xml'] } : {}),
      ...extra,
    },
    body,
  };
}

let counter = 0;
/** Feed one NOTIFY on the PF's own subscription (or as given) and return the result. */
export function feed(
  session: CpmSession,
  request: SipMessageView,
  opts: { prefs?: UserPrefs; now?: number; target?: NotifyTarget; policy?: Parameters<typeof withPolicy>[0] } = {},
) {
  const input: ConfNotifyInput = {
    session,
    request,
    txn: `ntf-${++counter}`,
    target: opts.target ?? { kind: 'OWN' },
    policy: withPolicy(opts.policy),
    prefs: opts.prefs ?? prefs({ allowStore: true }),
    now: opts.now ?? T0,
    newMessageId: `Gso${counter}`,
  };
  return { ...onConfNotify(input), txn: input.txn };
}
