// TRUST-PEERS-MESSAGE (D-134): with PF_TRUST=peers only registered clients of served users and
// configured peers may send MESSAGE; anyone else is refused 403, and each refusal is explained.
// The shell classifies the source against the topology; this decides and explains.
import { decide, type Decision } from '../decision';

export const UNKNOWN_SOURCE_BRANCH = 'TRUST-PEERS-MESSAGE';

export interface MessageSource {
  trust: 'open' | 'peers';
  /** the topology admits the source (a registered client or a configured peer) */
  admitted: boolean;
  /** `<transport>/<address>:<port>` */
  source: string;
  from?: string;
  requestUri: string;
  servedUser?: string;
  callId?: string;
}

export function trustMessage(m: MessageSource): { admit: boolean; decisions: Decision[]; reject?: { code: 403; reason: string } } {
  if (m.trust !== 'peers' || m.admitted) return { admit: true, decisions: [] };
  return {
    admit: false,
    decisions: [
      decide({
        procedure: 'DSP',
        branch: UNKNOWN_SOURCE_BRANCH,
        outcome: 'REJECT',
        summary: `MESSAGE from ${m.source.split('/').pop()}, neither a registered client nor a configured peer, refused 403 (PF_TRUST=peers)`,
        inputs: { source: m.source, from: m.from ?? null, requestUri: m.requestUri, trust: 'peers' },
        ...(m.servedUser ? { servedUser: m.servedUser } : {}),
        callId: m.callId,
      }),
    ],
    reject: { code: 403, reason: 'Forbidden' },
  };
}
