// A client's in-session notification with nowhere to go (D-260, amended by D-266): the in-dialog
// MESSAGE carrier is gone (sessions carry their messages over MSRP), and what remains of its
// contract is the one refusal IMDN-TX's MSRP carrier still needs. SPEC has no branch for a carrier,
// so the id is named after the contract:
//   CARRIER-2  no connected leg of the other side to carry a client's notification to: 480
import { decide, type Decision } from '../decision';
import { reasonPhrase } from '../dispatch/dispatch';
import type { Effect } from '../effects';
import type { CpmSession } from '../model';

export type CarriedKind = 'CHAT' | 'IMDN' | 'IS_COMPOSING';

export interface CarrierInput {
  /** the session that owns the leg's dialog, absent when none does any more */
  session?: CpmSession;
  legId: string;
  itemKind: CarriedKind;
  messageId?: string;
  /** the held MESSAGE */
  txn: string;
  callId?: string;
}

function note(input: CarrierInput, branch: string, outcome: string, summary: string, inputs: Record<string, unknown>): Decision {
  const s = input.session;
  return decide({
    branch,
    procedure: 'CARRIER',
    outcome,
    summary,
    inputs: { legId: input.legId, itemKind: input.itemKind, ...inputs },
    ...(s ? { servedUser: s.servedUser, sessionId: s.id } : {}),
    ...(input.messageId !== undefined ? { messageId: input.messageId } : {}),
    ...(input.callId !== undefined ? { callId: input.callId } : {}),
  });
}

const refuse = (txn: string, code: number): Effect => ({ kind: 'SEND_RESP', txn, code, reason: reasonPhrase(code) });

/** An IMDN a client sent in the session with no network leg to relay it to (CARRIER-2, IMDN-TX's carrier). */
export function imdnNoFarLeg(input: CarrierInput): { effects: Effect[]; decisions: Decision[] } {
  return {
    effects: [refuse(input.txn, 480)],
    decisions: [note(input, 'CARRIER-2', 'REJECT', 'The notification has neither the leg its chat message came from nor any connected network leg to go to: 480.', { mode: input.session?.mode ?? null })],
  };
}
