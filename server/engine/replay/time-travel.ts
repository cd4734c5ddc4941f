// Time travel: a session's recorded engine inputs in order, each replayed, with the session as the
// engine had it before the input and as the engine left it after (the console steps through them).
import { header, type SipMessageView } from '../message';
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
  input?: { kind?: string; legId?: string; name?: string; method?: string; status?: number; request?: SipMessageView; source?: { kind?: string }; target?: { aor?: string } };
  request?: SipMessageView;
  callId?: string;
  device?: string;
  failures?: number[];
  status?: number;
  target?: { kind?: string };
  timer?: string;
  response?: { status?: number };
  fromServedSide?: boolean;
};

function sessionIdOf(a: Args): string | undefined {
  return a.session?.id ?? a.carrier?.sessionId;
}

/**
 * The Call-ID a call was about, for the calls made before the session had an id: the INVITE's
 * (handleInvite's request) and the fork's answers and failures (their callId argument).
 */
function callIdOf(p: string, a: Args): string | undefined {
  if (p === 'handleInvite') return a.input?.request ? header(a.input.request, 'call-id') : undefined;
  if (p === 'forkAnswered' || p === 'forkFailed' || p === 'originationFailed' || p === 'iwfJoinLost') return a.callId;
  return undefined;
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
    case 'handleInvite':
      return `INVITE from ${a.input?.source?.kind?.toLowerCase() ?? '?'}${a.input?.target?.aor ? ` to ${a.input.target.aor}` : ''}`;
    case 'forkAnswered':
      return `${a.device ?? 'a device'} answered`;
    case 'forkFailed':
      return `every device failed (${(a.failures ?? []).join(', ')})`;
    case 'originationFailed':
      return `the origination failed (${a.status ?? '?'})`;
    case 'iwfJoinLost':
      return 'the interworking join was lost';
    case 'sendImdn':
      return `notification over ${a.carrier?.kind ?? '?'}`;
    default:
      return p;
  }
}

/**
 * The recorded calls about one session, oldest first, replayed: its steps. `callIds` are its legs'
 * Call-IDs: the invitation and its fork were decided before the session had an id, so they are
 * found by the INVITE's Call-ID, and the session's steps start at its invitation.
 */
export function sessionSteps(calls: RecordedCall[], sessionId: string, callIds: readonly string[] = []): SessionStep[] {
  const ids = new Set(callIds);
  return calls
    .filter((c) => {
      const a = c.a as Args;
      const id = sessionIdOf(a);
      if (id !== undefined) return id === sessionId;
      const callId = callIdOf(c.p, a);
      return callId !== undefined && ids.has(callId);
    })
    .sort((x, y) => x.at - y.at)
    .map((call) => {
      const before = (call.a as Args).session;
      const r = replayCall(call);
      const after = (r.result as { session?: CpmSession }).session ?? before;
      return { at: call.at, procedure: call.p, input: describe(call.p, call.a as Args), decisions: r.result.decisions.map((d) => [d.branch, d.outcome]), before, after };
    });
}
