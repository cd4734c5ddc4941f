// Inputs of the BYE procedures: past-tense facts handed in by the shell / dispatcher.
import type { Headers } from '../effects';
import type { Leg, ParticipantRoster } from '../model';
import type { SipMessageView } from '../message';

export interface ByeReceived {
  kind: 'BYE_RECEIVED';
  /** leg whose dialog matched; undefined when no dialog matched (BYE-0a) */
  legId?: string;
  message: SipMessageView;
  txn: string;
}

/** A final (or provisional) response to a request the PF sent or forwarded on a leg. */
export interface ResponseReceived {
  kind: 'RESPONSE_RECEIVED';
  legId: string;
  method: string;
  status: number;
}

export interface TimerFired {
  kind: 'TIMER_FIRED';
  name: string;
}

/** The first NOTIFY of the PF's own conference subscription was applied by PIN (BYE-1e-ii). */
export interface ConfNotifyApplied {
  kind: 'CONF_NOTIFY_APPLIED';
  /** the roster after PIN applied the NOTIFY, when the caller did not already put it on the session */
  roster?: ParticipantRoster;
}

/** What the dispatcher learnt from the CPIM envelope of an MSRP SEND (parsed at the edge). */
export interface InterceptedItem {
  kind: 'CHAT' | 'IMDN' | 'IS_COMPOSING';
  contentType: string;
  body: string;
  headers: Headers;
  messageId?: string;
  /** CPIM From / To as received */
  from?: string;
  to?: string;
  /** imdn.Disposition-Notification tokens, lower-cased */
  dispositionNotification?: string[];
  /** imdn.IMDN-Record-Route values in order */
  imdnRecordRoute?: string[];
  originalTo?: string;
  dateTime?: string;
}

export interface MsrpSendReceived {
  kind: 'MSRP_SEND_RECEIVED';
  legId: string;
  /** MSRP transaction id of the SEND, answered with MSRP_RESP */
  chunk: string;
  item: InterceptedItem;
}

/**
 * The media connection of a leg went away without a BYE (an MSRP TCP connection closed or failed,
 * D-165): the shell reports it after a short grace, so a client that closes its MSRP connection
 * just before its BYE is handled as the BYE says.
 */
export interface MediaConnectionLost {
  kind: 'MEDIA_CONNECTION_LOST';
  legId: string;
  /** what the shell saw (for the decision log) */
  reason: string;
}

/** A served client's new INVITE toward a group the PF stayed in (BYE-4-R-iii-2). */
export interface ClientRejoined {
  kind: 'CLIENT_REJOINED';
  /** the new client leg, already set up by the invitation handler */
  leg: Leg;
  requestUri?: string;
  contributionId?: string;
  /** the INVITE's server transaction, answered 200 by the PF */
  txn?: string;
}

/** A SIP MESSAGE inside a session leg's dialog (D-266: refused, the session's messages travel over MSRP). */
export interface InDialogMessage {
  kind: 'IN_DIALOG_MESSAGE';
  legId: string;
  /** the MESSAGE's server transaction */
  txn: string;
  contentType?: string;
}

export type ByeInput =
  | ByeReceived
  | InDialogMessage
  | ResponseReceived
  | TimerFired
  | ConfNotifyApplied
  | MediaConnectionLost
  | MsrpSendReceived
  | ClientRejoined;

export const TIMER_BYE_RELAY = 'bye-relay';
export const TIMER_GSO_ROSTER = 'gso-roster';
export const TIMER_REINVITE_RETRY = 'reinvite-retry';
