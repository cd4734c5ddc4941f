// Time travel: a session's recorded engine inputs in order, each replayed, with the session as the
// engine had it before the input and as the engine left it after (the console steps through them).
import type { CpmSession } from '../model';
import { replayCall } from './replay';
import type { RecordedCall } from './tape';

export interface SessionStep {
  at: number;
  procedure: string;
  /** the input in a few words: the BYE procedure's fact, the NOTIFY's target, the timer */
  input: string;
  decisions: Array<[string, string]>;
  before?: CpmSession;
  after?: CpmSession;
}

type Args = {
  session?: CpmSession;
  carrier?: { kind?: string; sessionId?: string };
  input?: { kind?: string; legId?: string; name?: string; method?: string; status?: number };
  target?: { kind?: string };
  timer?: string;
  response?: { status?: number };
  fromServedSide?: boolean;
};

function sessionIdOf(a: Args): string | undefined {
  return a.session?.id ?? a.carrier?.sessionId;
}

function describe(p: string, a: Args): string {
  const i = a.input;
  switch (p) {
    case 'handleBye':
      return [i?.kind, i?.legId && `leg ${i.legId}`, i?.name && `timer ${i.name}`, i?.method && `${i.method} ${i.status ?? ''}`.trim()].filter(Boolean).join(', ');
    case 'onConfNotify':
      return `conference NOTIFY (${a.target?.kind ?? '?'})`;
    case 'onConfSubscribeResponse':
      return `SUBSCRIBE answered ${a.response?.status ?? '?'}`;
    case 'onPinTimer':
      return `timer ${a.timer ?? '?'}`;
    case 'noteIsComposing':
      return `isComposing from the ${a.fromServedSide ? 'served' : 'far'} side`;
    case 'sendImdn':
      return `notification over ${a.carrier?.kind ?? '?'}`;
    default:
      return p;
  }
}

/** The recorded calls about one session, oldest first, replayed: its steps. */
export function sessionSteps(calls: RecordedCall[], sessionId: string): SessionStep[] {
  return calls
    .filter((c) => sessionIdOf(c.a as Args) === sessionId)
    .sort((x, y) => x.at - y.at)
    .map((call) => {
      const before = (call.a as Args).session;
      const r = replayCall(call);
      const after = (r.result as { session?: CpmSession }).session ?? before;
      return { at: call.at, procedure: call.p, input: describe(call.p, call.a as Args), decisions: r.result.decisions.map((d) => [d.branch, d.outcome]), before, after };
    });
}
