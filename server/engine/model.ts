// Domain model of the Participating Function (SPEC §1). Plain data only: the engine is sans-IO,
// so everything here must be serializable and free of clocks, sockets and database handles.

export type LegKind = 'CLIENT' | 'CF' | 'REMOTE_PF' | 'IWF';
export type LegState = 'CONNECTED' | 'TERMINATING' | 'TERMINATED';

export interface SipDialogRef {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** CSeq of the last request the PF sent in this dialog; a new request uses +1 (RFC 3261 §12.2.1.1) */
  localCseq?: number;
  /** local / remote URIs of the dialog (From / To of requests the PF sends in it) */
  localUri?: string;
  remoteUri?: string;
  /** Request-URI of in-dialog requests the PF sends */
  remoteTarget?: string;
  /** Route headers of in-dialog requests the PF sends, in order */
  routeSet?: string[];
  /** the PF generated this dialog's Call-ID (RFC 3261 §14.1 491 back-off range, BYE-3a-491) */
  callIdGeneratedLocally?: boolean;
}

export interface MediaStreamRef {
  /** index of the m-line in the client-facing SDP this stream is anchored to */
  mLine: number;
  protocol: 'MSRP' | 'RTP';
}

export interface Leg {
  id: string;
  kind: LegKind;
  /** IWF only (AMB-3): which side the IWF acts for. */
  iwfSide?: 'REMOTE' | 'SERVED';
  dialog: SipDialogRef;
  mediaStreams: MediaStreamRef[];
  state: LegState;
  /** CLIENT only: the client can serve this session type (feature tags). */
  suitable: boolean;
  /** CLIENT only: derived from User-Agent / SDP (IMDN-GEN-2). */
  supportsImdn?: boolean;
  /** CLIENT only: 'imdn-aggregation' feature tag in Contact. */
  supportsImdnAggregation?: boolean;
  /** CLIENT only: the registered contact / device this leg reaches. */
  device?: string;
  /** the SDP the PF last sent on this leg; a re-INVITE (BYE-3a) is built from it */
  localSdp?: string;
}

export type SessionType = 'ONE_TO_ONE' | 'GROUP';
export type SessionMode = 'ACTIVE' | 'REMAIN_DISCONNECTED' | 'RELEASED';

export interface RosterEndpoint {
  entity: string;
  status: string;
  disconnectionMethod?: string;
  /** departed/booted reported while the conference was active (GSO, AMB-19) */
  leftWhileActive: boolean;
}

export interface RosterUser {
  displayText?: string;
  state: 'full' | 'partial' | 'deleted';
  endpoints: Record<string, RosterEndpoint>;
}

export interface ParticipantRoster {
  /** version of the last document applied, whichever subscription carried it (for display) */
  version: number;
  /**
   * The last version applied per subscription (RFC 4575 §4.6: versions count within one
   * subscription): `OWN` for the PF's own, the client's subscription leg for a relayed one
   * (DECISIONS D-124). Absent in rosters written before it existed.
   */
  versions?: Record<string, number>;
  confActive: boolean;
  users: Record<string, RosterUser>;
  source: 'OWN_SUBSCRIPTION' | 'RELAYED' | 'NONE';
  /** conference-info root `entity` last seen (GSO lastfocussessionid, SPEC §6.3) */
  conferenceEntity?: string;
  /** conference-description subject last seen (GSO object Subject header, §11.7) */
  subject?: string;
}

export interface ConfSubscription {
  state: 'PENDING' | 'ACTIVE' | 'TERMINATED';
  dialog?: SipDialogRef;
  expiresAt?: number;
  /** PENDING only: waiting for the SUBSCRIBE's final response, or (PIN-S1) for the first NOTIFY */
  awaiting?: 'RESPONSE' | 'FIRST_NOTIFY';
  /** the Expires value the PF last asked for (PIN-S2 423 retry) */
  requestedExpires?: number;
  /** the single PIN-S2 retry after 5xx / Retry-After has been used */
  retried?: boolean;
  /** PIN-N8u: the one resubscription after a reasonless termination has been used */
  resubscribedAfterUnknownTermination?: boolean;
}

export interface CpmSession {
  id: string;
  servedUser: string;
  type: SessionType;
  conversationId: string;
  contributionId: string;
  groupSessionIdentity?: string;
  groupType?: 'Open' | 'Closed';
  legs: Leg[];
  interworked: boolean;
  usesSessionHistoryFolder: boolean;
  mode: SessionMode;
  interceptEnabled: boolean;
  participants: ParticipantRoster;
  confSubscription?: ConfSubscription;
  /**
   * ONE_TO_ONE only: the other user's identity (the From of a terminating invitation, the To of an
   * originating one); an isComposing without a CPIM wrapper is theirs (§12.6)
   */
  peerUser?: string;
  /** normalised (SPEC §3.5) CPIM From of every isComposing relayed from the peer side (AMB-11) */
  isComposingFrom: string[];
  /** an isComposing was relayed from one of the served user's own client legs (AMB-11) */
  isComposingSentByServedClients: boolean;
}

/** Result of 8.4.1 (XDMS), evaluated for the CPM service (SPEC §11.6). */
export interface UserPrefs {
  allowOfflineStorage: boolean;
  allowStore: boolean;
  allowDefer: boolean;
  hasCpmOfflineStorageRule: boolean;
  source: 'XDMS' | 'CACHED' | 'PROVIDER_DEFAULTS';
}

export type DispositionType = 'delivery' | 'display' | 'processing' | 'interworking';

export type DispositionRequest =
  | 'positive-delivery'
  | 'negative-delivery'
  | 'display'
  | 'processing'
  | 'interworking';

/** Written when the PF handles one of the served user's own messages (AMB-9). */
export interface MessageIndexEntry {
  kind: 'STANDALONE' | 'CHAT' | 'FT';
  sessionId?: string;
  storeRef?: string;
  deliveredEndpoints?: number;
  requested: DispositionRequest[];
}
