// D-266: a CPM session's messages travel over MSRP only (RFC 4975, through the PF's relay when the
// offer carries an a=path, D-163). A SIP MESSAGE inside a session leg's dialog is none of them: it
// is refused with 405 and the methods such a dialog takes (RFC 3261 §21.4.6), so the sender learns
// at once that it must use the session's MSRP stream (or a pager-mode MESSAGE outside the
// dialog); nothing is relayed, intercepted or stored. Whether a session owns the dialog does not
// matter: the answer is the same.
import type { Decision } from '../decision';
import type { EngineResult } from '../result';
import type { InDialogMessage } from './inputs';

/** What a session leg's dialog takes from the far end. */
export const SESSION_DIALOG_ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

export function inDialogMessage(input: InDialogMessage, session: { id: string; servedUser: string } | undefined): EngineResult {
  const d: Decision = {
    branch: 'MSRP-ONLY',
    procedure: 'BYE',
    outcome: 'REJECT_405',
    summary: `A MESSAGE inside the dialog of ${input.legId}: a session's messages travel over its MSRP stream only, so it is refused with 405 and nothing is relayed.`,
    inputs: { legId: input.legId, contentType: input.contentType, session: session?.id },
    ...(session ? { sessionId: session.id, servedUser: session.servedUser } : {}),
  };
  return {
    effects: [{ kind: 'SEND_RESP', txn: input.txn, code: 405, reason: 'Method Not Allowed', headers: { Allow: SESSION_DIALOG_ALLOW } }],
    decisions: [d],
  };
}
