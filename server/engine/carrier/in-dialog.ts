// The in-dialog MESSAGE carrier of a session (D-103, D-169): a chat message, IMDN or isComposing
// inside a leg's dialog. Which legs it goes to and what its sender hears when it goes nowhere are
// decided here (D-260); the shell carries the MESSAGE and its answers. SPEC has no branch for a
// carrier (it speaks of MSRP SENDs), so the branch ids are named after the contract, CARRIER-n:
//   CARRIER-0  no live session owns the dialog (released meanwhile): 481 (RFC 3261 §12.2.2)
//   CARRIER-1  relayed to every connected leg of the other side (a client's message to the
//              network legs, the network's to the user's clients; D-164 for MSRP does the same)
//   CARRIER-2  no connected leg of the other side to carry it to: 480
//   CARRIER-3  every leg it was relayed to refused it: the first refusal goes back
//   CARRIER-4  the PF stood in for the user but the intercept step did not take it: 480
// What is intercepted (BYE-4-R-ii) and what IMDN-TX does with a client's notification are the
// BYE and IMDN-TX procedures' own decisions; this only routes the MESSAGE to them.
import { decide, type Decision } from '../decision';
import { reasonPhrase } from '../dispatch/dispatch';
import type { Effect } from '../effects';
import type { CpmSession, Leg } from '../model';

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

export type CarrierAction =
  | { kind: 'ANSWERED' }
  /** BYE-4-R-ii decides (MSRP_SEND_RECEIVED) */
  | { kind: 'INTERCEPT' }
  /** IMDN-TX decides (a notification from the served user's side) */
  | { kind: 'IMDN_TX' }
  | { kind: 'RELAY'; targets: string[]; fromServedSide: boolean };

export interface CarrierResult {
  action: CarrierAction;
  effects: Effect[];
  decisions: Decision[];
}

const fromServed = (leg: Leg) => leg.kind === 'CLIENT' || leg.iwfSide === 'SERVED';

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

/** Where a MESSAGE that arrived on `legId` goes. */
export function carryInDialog(input: CarrierInput): CarrierResult {
  const s = input.session;
  const leg = s?.legs.find((l) => l.id === input.legId);
  if (!s || !leg || leg.state === 'TERMINATED') {
    return {
      action: { kind: 'ANSWERED' },
      effects: [{ kind: 'SEND_RESP', txn: input.txn, code: 481, reason: 'Call/Transaction Does Not Exist' }],
      decisions: [note(input, 'CARRIER-0', 'REJECT', 'A MESSAGE arrived in a dialog no live session owns (it ended meanwhile): 481.', { legState: leg?.state ?? null })],
    };
  }
  if (leg.kind !== 'CLIENT' && s.mode === 'REMAIN_DISCONNECTED') return { action: { kind: 'INTERCEPT' }, effects: [], decisions: [] };
  const fromServedSide = fromServed(leg);
  if (fromServedSide && input.itemKind === 'IMDN') return { action: { kind: 'IMDN_TX' }, effects: [], decisions: [] };
  // the other side: a client's message goes to the network legs, anything else to the clients
  const targets = s.legs.filter((l) => l.state === 'CONNECTED' && l.id !== leg.id && (leg.kind === 'CLIENT' ? l.kind !== 'CLIENT' : l.kind === 'CLIENT')).map((l) => l.id);
  const side = leg.kind === 'CLIENT' ? 'network' : "user's client";
  if (targets.length === 0) {
    return {
      action: { kind: 'ANSWERED' },
      effects: [refuse(input.txn, 480)],
      decisions: [note(input, 'CARRIER-2', 'REJECT', `No ${side} leg of the session is connected to carry the ${input.itemKind.toLowerCase().replace('_', '-')} item to: 480.`, { from: leg.kind, mode: s.mode })],
    };
  }
  return {
    action: { kind: 'RELAY', targets, fromServedSide },
    effects: [],
    decisions: [note(input, 'CARRIER-1', 'RELAY', `Relayed to the connected ${side} leg${targets.length > 1 ? 's' : ''} ${targets.join(', ')}.`, { from: leg.kind, targets })],
  };
}

/** What the sender hears once every leg answered: the first 2xx, else the first refusal (CARRIER-3). */
export function carrierAnswer(input: { session?: CpmSession; legId: string; itemKind: CarriedKind; messageId?: string; txn: string; callId?: string; codes: number[] }): { effects: Effect[]; decisions: Decision[] } {
  const ok = input.codes.find((c) => c >= 200 && c < 300);
  if (ok !== undefined) return { effects: [{ kind: 'SEND_RESP', txn: input.txn, code: ok, reason: reasonPhrase(ok) }], decisions: [] };
  const code = input.codes[0] ?? 480;
  return {
    effects: [refuse(input.txn, code)],
    decisions: [note(input, 'CARRIER-3', 'FAILED', `No leg took the item (answers ${input.codes.join(', ') || 'none'}): the first refusal, ${code}, goes back to its sender.`, { codes: input.codes })],
  };
}

/** The PF stood in for the user (BYE-4-R-ii) but its step did not answer the MESSAGE (CARRIER-4). */
export function carrierNotTaken(input: CarrierInput): { effects: Effect[]; decisions: Decision[] } {
  return {
    effects: [refuse(input.txn, 480)],
    decisions: [note(input, 'CARRIER-4', 'REJECT', 'The PF was standing in for the disconnected user, but the item was not intercepted (the session changed before its turn): 480 rather than no answer.', { mode: input.session?.mode ?? null })],
  };
}

/** An IMDN a client sent in the session with no network leg to relay it to (CARRIER-2, IMDN-TX's carrier). */
export function imdnNoFarLeg(input: CarrierInput): { effects: Effect[]; decisions: Decision[] } {
  return {
    effects: [refuse(input.txn, 480)],
    decisions: [note(input, 'CARRIER-2', 'REJECT', 'The notification has neither the leg its chat message came from nor any connected network leg to go to: 480.', { mode: input.session?.mode ?? null })],
  };
}
