// The session value an accepted invitation starts (SPEC §1 CpmSession, §11.4): its type from who
// the far side is, its identities from the invitation, whether it is recorded in a session-history
// folder from the served user's preferences. Legs are added by the shell, which holds the dialogs.
import { header, type SipMessageView } from '../message';
import type { CpmSession, UserPrefs } from '../model';
import { emptyRoster } from '../participants/roster';
import type { PeerRole } from './invite';

export function newSession(a: {
  id: string;
  servedUser: string;
  request: SipMessageView;
  peerRole: PeerRole;
  /** GROUP: the conference URI (the CF's Contact for a terminating invitation, the Request-URI for an originating one) */
  groupUri?: string;
  prefs: Pick<UserPrefs, 'allowOfflineStorage' | 'allowStore'>;
  /** ONE_TO_ONE: the other user (D-142) */
  peerUser?: string;
}): CpmSession {
  const callId = header(a.request, 'call-id') ?? a.id;
  const group = a.peerRole === 'CF';
  return {
    ...(!group && a.peerUser !== undefined ? { peerUser: a.peerUser } : {}),
    id: a.id,
    servedUser: a.servedUser,
    type: group ? 'GROUP' : 'ONE_TO_ONE',
    conversationId: header(a.request, 'conversation-id') ?? callId,
    contributionId: header(a.request, 'contribution-id') ?? callId,
    ...(group && a.groupUri ? { groupSessionIdentity: a.groupUri, groupType: 'Closed' as const } : {}),
    legs: [],
    interworked: a.peerRole === 'IWF',
    // 8.5.2: the session is recorded when the user keeps history (offline storage or store)
    usesSessionHistoryFolder: a.prefs.allowOfflineStorage || a.prefs.allowStore,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: emptyRoster(),
    isComposingFrom: [],
    isComposingSentByServedClients: false,
  };
}

/** IMDN-GEN-2: an OMA CPM 1.0 client sends no disposition notifications for chat messages. */
export function clientSupportsImdn(userAgent: string | undefined): boolean {
  return !/\bCPM-client\/OMA1\.0\b/i.test(userAgent ?? '');
}
