// Dialog state (RFC 3261 12) with drachtio's dialog id convention.
import type { Peer } from './transport';
import type { ServerInviteTxn } from './transaction';
import type { SipMessage } from './sip/message';

export interface Dialog {
  /** `<Call-ID>;from-tag=<From tag of the dialog-creating request>` (drachtio convention). */
  id: string;
  role: 'uas' | 'uac';
  method: 'INVITE' | 'SUBSCRIBE';
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To values without tags, as they appear in requests we send. */
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  /** In the order to put in Route headers of requests we send. */
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  /** CSeq of the INVITE whose 2xx must be ACKed (UAC) or is awaiting ACK (UAS). */
  inviteSeq: number;
  localContact: string;
  /** Where the dialog was established; TCP requests reuse this connection when it is alive. */
  peer: Peer;
  /** UAS: the INVITE transaction whose 2xx is being retransmitted until the ACK. */
  pendingAck?: ServerInviteTxn;
  /** UAC: the last ACK we sent, re-sent when a 2xx is retransmitted. */
  lastAck?: SipMessage;
  createdAt: number;
}

export function dialogIdFor(callId: string, creatingFromTag: string): string {
  return `${callId};from-tag=${creatingFromTag}`;
}

/** Strips the tag parameter from a From/To value so the dialog can re-add its own. */
export function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;>\s]*/i, '');
}
