// A decision is the engine's explanation of one step: which spec branch fired, what it looked at,
// and what it did. The console shows decisions to operators; tests assert on their branch ids.

export type Procedure =
  | 'DSP'
  | 'CLS'
  | 'BYE'
  | 'PIN'
  | 'IMDN-RX'
  | 'IMDN-DLV'
  | 'IMDN-TX'
  | 'IMDN-GEN'
  | 'PREF'
  /** SPEC §11.1: the pager-mode standalone message contract */
  | 'PAGER'
  /** an initial INVITE: trust, fork, re-join, IWF join (SPEC §11.2, §11.4, §11.5) */
  | 'INVITE'
  /** SPEC §11.7: session history recorded from the media plane (D-168) */
  | 'HIST'
  /** the in-dialog MESSAGE carrier of a session (D-103, D-169): where a message goes, and what its sender hears */
  | 'CARRIER';

export interface Decision {
  /** spec branch id from SPEC.md, e.g. 'IMDN-RX-2a-i', 'BYE-4-R' */
  branch: string;
  procedure: Procedure;
  /** short machine word: FORWARD, DROP, DEFER, STORE, RELEASE, ... */
  outcome: string;
  /** the rule and the outcome in words an operator understands */
  summary: string;
  /** the inputs the rule consulted: headers, preferences, policy values, cache state */
  inputs: Record<string, unknown>;
  /** correlation, when known */
  servedUser?: string;
  messageId?: string;
  disposition?: string;
  sessionId?: string;
  callId?: string;
}

export function decide(d: Decision): Decision {
  return d;
}
