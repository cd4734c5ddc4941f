// CLS (SPEC §5.2): who released, from the arrival leg, the IWF side and the Reason.
import type { Decision } from '../decision';
import type { Leg } from '../model';
import type { ParsedReason } from '../parse/reason';

export type ReleaseClass = 'USER_LEAVE' | 'NETWORK_RELEASE' | 'REMOTE_RELEASE' | 'IWF_RELEASE';
export type GroupEnd = 'GROUP_TERMINATED' | 'GROUP_INACTIVE';
export type ClsBranch =
  | 'CLS-1'
  | 'CLS-2'
  | 'CLS-2x'
  | 'CLS-3'
  | 'CLS-4'
  | 'CLS-5'
  | 'CLS-6'
  | 'CLS-7'
  | 'CLS-8'
  | 'CLS-9'
  | 'CLS-10';

export interface Classification {
  branch: ClsBranch;
  cls: ReleaseClass;
  groupEnd?: GroupEnd;
  next: 'BYE-1' | 'BYE-2' | 'BYE-3' | 'BYE-4';
}

// AMB-31: with no SIP value, only these two well-known values read as the user's own leave.
const LEAVE_VALUES = new Set(['Q.850:16', 'RELEASE_CAUSE:1']);

/** AMB-31: every non-SIP value is one of the two leave values (and there is at least one). */
export function nonSipLeave(r: ParsedReason): boolean {
  return r.others.length > 0 && r.others.every((o) => LEAVE_VALUES.has(`${o.protocol}:${o.cause}`));
}

export function classifyBye(leg: Pick<Leg, 'kind' | 'iwfSide'>, r: ParsedReason): Classification {
  if (leg.kind === 'CF' || leg.kind === 'REMOTE_PF') {
    if (!r.present) return { branch: 'CLS-4', cls: 'REMOTE_RELEASE', next: 'BYE-2' };
    if (leg.kind === 'CF' && r.sipCause === 410)
      return { branch: 'CLS-5', cls: 'REMOTE_RELEASE', groupEnd: 'GROUP_TERMINATED', next: 'BYE-2' };
    if (leg.kind === 'CF' && r.sipCause === 480)
      return { branch: 'CLS-6', cls: 'REMOTE_RELEASE', groupEnd: 'GROUP_INACTIVE', next: 'BYE-2' };
    return { branch: 'CLS-7', cls: 'REMOTE_RELEASE', next: 'BYE-2' };
  }
  if (leg.kind === 'IWF' && leg.iwfSide !== 'SERVED') return { branch: 'CLS-8', cls: 'IWF_RELEASE', next: 'BYE-3' };
  const leave = !r.present || (r.sipPresent ? r.sipCause === 200 : nonSipLeave(r));
  if (leg.kind === 'IWF') {
    return leave
      ? { branch: 'CLS-9', cls: 'USER_LEAVE', next: 'BYE-1' }
      : { branch: 'CLS-10', cls: 'NETWORK_RELEASE', next: 'BYE-4' };
  }
  if (!r.present) return { branch: 'CLS-1', cls: 'USER_LEAVE', next: 'BYE-1' };
  if (leave) return { branch: r.sipPresent ? 'CLS-2' : 'CLS-2x', cls: 'USER_LEAVE', next: 'BYE-1' };
  // BYE-1b-i-B or BYE-4, decided by the caller from the other client legs
  return { branch: 'CLS-3', cls: 'NETWORK_RELEASE', next: 'BYE-4' };
}

const WHY: Record<ClsBranch, string> = {
  'CLS-1': 'a BYE with no Reason on a client leg is the user leaving (a v1.0 client, or the core added none)',
  'CLS-2': 'Reason SIP cause 200 on a client leg means the user left on purpose',
  'CLS-2x': 'no SIP value, and every value is Q.850 16 or RELEASE_CAUSE 1, so the user ended the session',
  'CLS-3': 'a Reason other than a leave on a client leg means a core node released it, probably a lost connection',
  'CLS-4': 'a BYE with no Reason from the Controlling Function or the other PF is a release by that side',
  'CLS-5': 'the Controlling Function ended the group for good (SIP cause 410); it cannot restart as long-lived',
  'CLS-6': "the group's inactivity timer expired (SIP cause 480); it can restart as a long-lived group",
  'CLS-7': 'any Reason from the Controlling Function or the other PF is a release by that side',
  'CLS-8': 'an interworking function on the remote side hung up',
  'CLS-9': 'the interworking function acting for the served user reports that the user left',
  'CLS-10': 'the interworking function acting for the served user lost the session (not a leave)',
};

export function clsDecision(c: Classification, leg: Leg, r: ParsedReason, sessionId: string, callId?: string): Decision {
  return {
    branch: c.branch,
    procedure: 'CLS',
    outcome: c.groupEnd ?? c.cls,
    summary: `${WHY[c.branch]}; continuing with ${c.next}.`,
    inputs: { legId: leg.id, legKind: leg.kind, iwfSide: leg.iwfSide, reason: r },
    sessionId,
    callId,
  };
}
