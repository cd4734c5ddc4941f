// A graceful stop of the PF (D-108, D-109): no session outlives the process, so every live session
// is released at once with a BYE on each connected leg, rather than leaving clients, the
// Controlling Function and remote PFs to find out by their timers. The answers are not decided:
// the session is over whatever they say.
import type { Decision } from '../decision';
import type { Effect } from '../effects';
import type { CpmSession } from '../model';

/** RFC 3261 §21.5.4: 503 is what a server going out of service says. */
export const STOP_REASON = 'SIP;cause=503;text="PF shutting down"';

export function releaseOnStop(s: CpmSession): { session: CpmSession; effects: Effect[]; decisions: Decision[] } {
  if (s.mode === 'RELEASED') return { session: s, effects: [], decisions: [] };
  const connected = s.legs.filter((l) => l.state === 'CONNECTED');
  const effects: Effect[] = connected.map((l) => ({ kind: 'SEND_REQ', leg: l.id, method: 'BYE', headers: { Reason: STOP_REASON, 'Content-Length': '0' } }));
  effects.push({ kind: 'RELEASE_MEDIA', legs: 'ALL' }, { kind: 'SET_MODE', sessionId: s.id, mode: 'RELEASED' });
  const session: CpmSession = { ...s, mode: 'RELEASED', interceptEnabled: false, legs: s.legs.map((l) => (l.state === 'TERMINATED' ? l : { ...l, state: 'TERMINATED' })) };
  const decisions: Decision[] = [
    {
      branch: 'STOP-1',
      procedure: 'BYE',
      outcome: 'RELEASE',
      summary: `The PF is stopping and no session outlives it (D-108): ${connected.length ? `BYE to ${connected.map((l) => `${l.id} (${l.kind})`).join(', ')}` : 'no leg is connected'}, and the session is over.`,
      inputs: { mode: s.mode, legs: connected.map((l) => l.id), reason: STOP_REASON },
      sessionId: s.id,
      servedUser: s.servedUser,
    },
  ];
  return { session, effects, decisions };
}
