// A MESSAGE or a deferred-messages SUBSCRIBE addressed to a user this PF does not serve (D-260).
// The twin of INVITE-1 (D-201): SPEC has no branch for it, since dispatch (§4) starts from a served
// user; the answer is 404, as RFC 3261 §21.4.5 says for a user that does not exist in the domain.
import { decide, type Decision } from '../decision';
import type { Effect } from '../effects';

export interface NotServedInput {
  method: 'MESSAGE' | 'SUBSCRIBE';
  /** the addressee's AOR as the shell read it from the Request-URI, absent when it has none */
  target?: string;
  txn: string;
  callId?: string;
}

export const NOT_SERVED_BRANCH = { MESSAGE: 'MESSAGE-1', SUBSCRIBE: 'SUBSCRIBE-1' } as const;

export function refuseNotServed(input: NotServedInput): { effects: Effect[]; decisions: Decision[] } {
  const what = input.method === 'MESSAGE' ? 'The message' : 'The deferred-messages subscription';
  const decision = decide({
    branch: NOT_SERVED_BRANCH[input.method],
    procedure: 'DSP',
    outcome: 'REJECT',
    summary: `${what} names ${input.target ?? 'no user'}, whom this PF does not serve: 404.`,
    inputs: { method: input.method, target: input.target ?? null },
    ...(input.callId !== undefined ? { callId: input.callId } : {}),
  });
  return { effects: [{ kind: 'SEND_RESP', txn: input.txn, code: 404, reason: 'Not Found' }], decisions: [decision] };
}
