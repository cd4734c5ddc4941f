// PIN-N1r, B2BUA mode, the subscription itself (D-110, D-260): a served client's SUBSCRIBE to the
// conference of a group session is relayed to the focus; nothing else is. SPEC §6.2 defines the
// relay of the focus's NOTIFYs (PIN-N1r); who may subscribe through the PF and what the client
// hears when the focus cannot be reached are this contract's, named after it:
//   PIN-N1r-S   RELAY: a registered client of a served user, to the conference of one of that
//               user's live group sessions; REJECT 403 otherwise (the PF is not an open relay)
//   PIN-N1r-S5  the SUBSCRIBE could not be sent to the focus: 503 (RFC 3261 §21.5.4; the client
//               may retry, the focus may come back)
import { decide, type Decision } from '../decision';
import type { Effect } from '../effects';
import type { CpmSession } from '../model';
import { sameResource } from '../parse/uri';

export interface ConfSubscribeInput {
  /** the subscriber's AOR (From), when it names a user this PF serves */
  servedUser?: string;
  /** the SUBSCRIBE came from one of that user's registered clients */
  fromClient: boolean;
  /** the conference URI subscribed to (Request-URI) */
  conference: string;
  /** the served user's sessions */
  sessions: CpmSession[];
  txn: string;
  callId?: string;
}

export interface ConfSubscribeResult {
  /** the group session whose conference is subscribed to, when relayed */
  sessionId?: string;
  effects: Effect[];
  decisions: Decision[];
}

export function relayConfSubscribe(input: ConfSubscribeInput): ConfSubscribeResult {
  const base = { procedure: 'PIN' as const, ...(input.servedUser ? { servedUser: input.servedUser } : {}), ...(input.callId !== undefined ? { callId: input.callId } : {}) };
  const inputs = { subscriber: input.servedUser ?? null, fromClient: input.fromClient, conference: input.conference };
  const session = input.servedUser && input.fromClient
    ? input.sessions.find((s) => s.type === 'GROUP' && s.mode !== 'RELEASED' && s.groupSessionIdentity !== undefined && sameResource(s.groupSessionIdentity, input.conference))
    : undefined;
  if (!session) {
    const why = !input.servedUser ? 'is not from a user this PF serves' : !input.fromClient ? `is not from a registered client of ${input.servedUser}` : `names a conference none of ${input.servedUser}'s group sessions has`;
    return {
      effects: [{ kind: 'SEND_RESP', txn: input.txn, code: 403, reason: 'No group session of this client has that conference' }],
      decisions: [decide({ ...base, branch: 'PIN-N1r-S', outcome: 'REJECT', summary: `The conference subscription ${why}; the PF relays only its clients' subscriptions to their own group sessions: 403.`, inputs })],
    };
  }
  return {
    sessionId: session.id,
    effects: [],
    decisions: [decide({ ...base, sessionId: session.id, branch: 'PIN-N1r-S', outcome: 'RELAY', summary: `The client's conference subscription is relayed to the focus of its group session ${session.id}.`, inputs })],
  };
}

export function confFocusUnreachable(input: { servedUser: string; sessionId: string; conference: string; error: string; txn: string; callId?: string }): { effects: Effect[]; decisions: Decision[] } {
  return {
    effects: [{ kind: 'SEND_RESP', txn: input.txn, code: 503, reason: 'Conference focus not reachable' }],
    decisions: [decide({
      branch: 'PIN-N1r-S5', procedure: 'PIN', outcome: 'REJECT', servedUser: input.servedUser, sessionId: input.sessionId,
      ...(input.callId !== undefined ? { callId: input.callId } : {}),
      summary: `The client's conference subscription could not be sent to the focus (${input.error}): 503.`,
      inputs: { conference: input.conference, error: input.error },
    })],
  };
}
