// The engine procedures the shell calls, by name. The shell calls them only through this table
// (server/sip/engine-calls.ts), so a recorded call names the very function replay runs again.
// Each takes one object of arguments; `readers` names the arguments that are lookups into the
// shell's state (a function, or an object whose methods are called): the recorder writes down
// what each lookup returned, and replay answers the same lookups from that record.
import { checkBody } from '../dispatch/body-check';
import { dispatch } from '../dispatch/dispatch';
import { handleBye } from '../bye/handle-bye';
import type { ByeInput } from '../bye/inputs';
import { flushImdnAggregate } from '../imdn/aggregate';
import { deliverDeferredImdns, deliverImdn, imdnForkOutcome } from '../imdn/deliver';
import { flushGeneratedImdns, generateImdn } from '../imdn/generate';
import { receiveImdn } from '../imdn/receive';
import { sendImdn } from '../imdn/send';
import type { CpmSession, UserPrefs } from '../model';
import type { Inspectable } from '../parse/content-encoding';
import { deliverStandalone, standaloneForkOutcome } from '../pager/standalone';
import type { Policy } from '../policy';
import type { Decision } from '../decision';
import type { Effect } from '../effects';
import { checkNotificationAboutNotification, checkNotificationLoop } from '../loop/notification-loop';
import { noteIsComposing } from '../imdn/is-composing';
import { onConfNotify, onConfSubscribeResponse, onPinTimer } from '../participants/pin';
import { trustMessage } from '../trust/unknown-source';
import { routeToCore } from '../route/core-route';
import { forkAnswered, forkFailed, handleInvite, iwfJoinLost, originationFailed, type InviteInput } from '../invite/invite';
import { recordChat } from '../history/record-chat';
import { releaseOnStop } from '../bye/stop';
import { refuseNotServed } from '../dispatch/not-served';
import { imdnNoFarLeg } from '../carrier/in-dialog';
import { confFocusUnreachable, relayConfSubscribe } from '../participants/conf-subscribe';

/** What a recorded procedure returns: its decisions, and the effects when it has any. */
export interface EngineOutput {
  decisions: Decision[];
  effects?: Effect[];
}

/** 'fn': the argument is a lookup function; a list: the argument is an object, these its lookups. */
export type ReaderShape = 'fn' | readonly string[];

export interface ProcedureSpec<A, R extends EngineOutput> {
  run: (args: A) => R;
  readers?: { readonly [K in keyof A]?: ReaderShape };
  /**
   * The procedure reads no policy, no preference and no state: a call of it that decided nothing
   * and did nothing reads the same under any what-if, so it is not recorded (most requests pass
   * the body check that way; D-244).
   */
  quietWhenEmpty?: boolean;
  /**
   * Where IMDN parts (ImdnPart) sit inside the arguments: each is recorded by version, like the
   * top-level policy and request view (tape.ts VERSIONED_ARGS), and defined as its text
   * (tape.ts defineImdnPart). Paths of dotted segments, `[]` for each element of an array, `*` for
   * each value of a record. A part is one object from IMDN-RX's result to the delivery's last
   * fork outcome, so it is written once per batch instead of in every call (D-275).
   */
  imdnParts?: readonly string[];
}

function procedure<A, R extends EngineOutput>(run: (args: A) => R, readers?: { readonly [K in keyof A]?: ReaderShape }, opts: { quietWhenEmpty?: boolean; imdnParts?: readonly string[] } = {}): ProcedureSpec<A, R> {
  return { run, readers, ...opts };
}

const CACHE: ReaderShape = ['get', 'isEmptyFor'];
/** Where the IMDN parts (ImdnPart) sit in the delivery procedures' arguments. */
const BUFFERED_PARTS = 'buffers.*.items.[].part';

export const PROCEDURES = {
  checkBody: procedure((a: { inspection: Inspectable; servedUser?: string; callId?: string }) => checkBody(a.inspection, a.servedUser, a.callId), undefined, { quietWhenEmpty: true }),
  dispatch: procedure(dispatch),
  routeToCore: procedure(routeToCore),
  receiveImdn: procedure(receiveImdn, { cache: CACHE, messageIndex: 'fn', session: 'fn' }),
  deliverImdn: procedure(deliverImdn, undefined, { imdnParts: ['parts.[]', BUFFERED_PARTS] }),
  deliverDeferredImdns: procedure(deliverDeferredImdns),
  imdnForkOutcome: procedure(imdnForkOutcome, { locator: ['folderOfOriginal', 'conversationFolder'] }, { imdnParts: ['delivery.parts.[].part'] }),
  flushImdnAggregate: procedure(flushImdnAggregate, undefined, { imdnParts: [BUFFERED_PARTS] }),
  sendImdn: procedure(sendImdn, { cache: CACHE, messageIndex: 'fn', session: 'fn' }),
  deliverStandalone: procedure(deliverStandalone),
  standaloneForkOutcome: procedure(standaloneForkOutcome),
  generateImdn: procedure(generateImdn, { cache: CACHE }),
  flushGeneratedImdns: procedure(flushGeneratedImdns),
  handleBye: procedure((a: { session: CpmSession | undefined; input: ByeInput; prefs: UserPrefs; policy: Policy; now: number; random: number }) =>
    handleBye(a.session, a.input, a.prefs, a.policy, a.now, a.random),
  ),
  onConfNotify: procedure(onConfNotify),
  onConfSubscribeResponse: procedure(onConfSubscribeResponse),
  onPinTimer: procedure(onPinTimer),
  noteIsComposing: procedure(noteIsComposing),
  checkNotificationLoop: procedure(checkNotificationLoop),
  checkNotificationAboutNotification: procedure(checkNotificationAboutNotification),
  trustMessage: procedure(trustMessage),
  handleInvite: procedure((a: { input: InviteInput; policy: Policy }) => handleInvite(a.input, a.policy)),
  forkAnswered: procedure(forkAnswered),
  forkFailed: procedure(forkFailed),
  originationFailed: procedure(originationFailed),
  iwfJoinLost: procedure(iwfJoinLost),
  recordChat: procedure(recordChat),
  releaseOnStop: procedure((a: { session: CpmSession }) => releaseOnStop(a.session)),
  refuseNotServed: procedure(refuseNotServed),
  imdnNoFarLeg: procedure(imdnNoFarLeg),
  relayConfSubscribe: procedure(relayConfSubscribe),
  confFocusUnreachable: procedure(confFocusUnreachable),
} as const;

export type ProcedureName = keyof typeof PROCEDURES;
export type ProcedureArgs<K extends ProcedureName> = Parameters<(typeof PROCEDURES)[K]['run']>[0];
export type ProcedureResult<K extends ProcedureName> = ReturnType<(typeof PROCEDURES)[K]['run']>;

export function isProcedureName(name: string): name is ProcedureName {
  return Object.prototype.hasOwnProperty.call(PROCEDURES, name);
}
