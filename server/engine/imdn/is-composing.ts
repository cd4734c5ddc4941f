// §12.6 (AMB-11): who sent an isComposing relayed in a session. IMDN-RX-2a-iii-2 matches a
// notification's recipient against `isComposingFrom`; IMDN-TX-2 reads
// `isComposingSentByServedClients`. Pure: the session value in, the new value and (on a change)
// the decision out.
import { decide, type Decision } from '../decision';
import type { CpmSession } from '../model';
import { normaliseUri } from '../parse/uri';

export interface IsComposingSeen {
  session: CpmSession;
  /** relayed from one of the served user's client legs (or an IWF acting for the user) */
  fromServedSide: boolean;
  /** the CPIM From of the isComposing; absent when it came without a CPIM wrapper */
  cpimFrom?: string;
}

export function noteIsComposing(input: IsComposingSeen): { session: CpmSession; decisions: Decision[] } {
  const { session: s, fromServedSide, cpimFrom } = input;
  const base = { procedure: 'IMDN-RX' as const, servedUser: s.servedUser, sessionId: s.id };
  if (fromServedSide) {
    if (s.isComposingSentByServedClients) return { session: s, decisions: [] };
    return {
      session: { ...s, isComposingSentByServedClients: true },
      decisions: [
        decide({
          ...base,
          procedure: 'IMDN-TX',
          branch: 'IMDN-TX-2',
          outcome: 'ISCOMPOSING_NOTED',
          summary: "One of the served user's clients sent an isComposing in this session; IMDN-TX duplicate filtering takes it into account.",
          inputs: { wrapped: cpimFrom !== undefined },
        }),
      ],
    };
  }
  // without a CPIM wrapper: the peer user of a 1-1 session; nobody in a group (AMB-11)
  const who = cpimFrom ?? (s.type === 'ONE_TO_ONE' ? s.peerUser : undefined);
  if (who === undefined) {
    return {
      session: s,
      decisions: [
        decide({
          ...base,
          branch: 'IMDN-RX-2a-iii-2',
          outcome: 'ISCOMPOSING_UNATTRIBUTED',
          summary: s.type === 'GROUP'
            ? 'An isComposing without a CPIM From in a group session cannot be attributed to a participant; it is ignored (AMB-11).'
            : 'An isComposing without a CPIM From in a 1-1 session whose peer user is unknown; it is ignored.',
          inputs: { sessionType: s.type, wrapped: false },
        }),
      ],
    };
  }
  const key = normaliseUri(who);
  if (s.isComposingFrom.includes(key)) return { session: s, decisions: [] };
  return {
    session: { ...s, isComposingFrom: [...s.isComposingFrom, key] },
    decisions: [
      decide({
        ...base,
        branch: 'IMDN-RX-2a-iii-2',
        outcome: 'ISCOMPOSING_NOTED',
        summary: cpimFrom !== undefined
          ? `An isComposing from ${key} (its CPIM From) was relayed in this session; an interworking notice from that recipient for a chat message will be dropped.`
          : `An isComposing without a CPIM wrapper was relayed in this 1-1 session, so it is the peer user's, ${key} (§12.6); an interworking notice from them for a chat message will be dropped.`,
        inputs: { sessionType: s.type, wrapped: cpimFrom !== undefined, cpimFrom, peerUser: s.peerUser, key },
      }),
    ],
  };
}
