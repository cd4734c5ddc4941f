// D-165: a client's media connection (its MSRP TCP connection to the PF) went away without a BYE.
// Without its media the client cannot take part in the session, so this is the client's connection
// loss, classified like a BYE from a core node (CLS-3, NETWORK_RELEASE): with another suitable
// device still connected only this leg ends (BYE-1b-i-B), otherwise BYE-4 decides whether the PF
// stays in the media path (and intercepts) or passes the release on. The client's SIP dialog is of
// no use without its media: the PF ends it with a BYE carrying Reason cause=503, so the client
// knows to re-join with a new INVITE (BYE-4-R-iii-2) rather than hold a dialog with no media.
// D-267: a network leg's lost connection (the CF, the other user's PF, a remote IWF) is that side
// releasing: classified as a BYE from it with the same cause 503 (CLS-7 → BYE-2, CLS-8 → BYE-3),
// whose branches then decide what the served user's side gets; the network dialog, useless
// without its media, is ended by the PF with that BYE.
import { sendBye } from './build-request';
import { legById, type Work } from './bye-state';
import { classifyBye, clsDecision } from './classify';
import type { MediaConnectionLost } from './inputs';
import { iwfRelease } from './iwf-release';
import { networkRelease } from './network-release';
import { parseReason } from '../parse/reason';
import { terminatePending } from './preconditions';
import { decision } from './relay';
import { remoteRelease } from './remote-release';

export const MEDIA_LOST_REASON = 'SIP;cause=503;text="MSRP connection lost"';

export function mediaConnectionLost(w: Work, input: MediaConnectionLost): void {
  const src = legById(w, input.legId);
  const inputs = { legId: input.legId, legKind: src?.kind, legState: src?.state, mode: w.s.mode, seen: input.reason };
  if (src === undefined || src.state !== 'CONNECTED' || w.s.mode === 'RELEASED') {
    w.decisions.push(decision(w, 'CLS-MSRP', 'IGNORED', `The media connection of ${input.legId} closed after its leg was already ended; nothing to do.`, inputs));
    return;
  }
  if (src.kind !== 'CLIENT' && src.iwfSide !== 'SERVED') {
    networkSideLost(w, src, inputs);
    return;
  }
  terminatePending(w, src);
  w.decisions.push(decision(w, 'CLS-MSRP', 'NETWORK_RELEASE', `The media connection of ${src.id} was lost without a BYE: handled as a lost client connection (as CLS-3); the PF ends that client's dialog.`, inputs));
  sendBye(w, src, [MEDIA_LOST_REASON]);
  networkRelease(w, { src, okHeaders: {}, reasonValues: [MEDIA_LOST_REASON] });
}

function networkSideLost(w: Work, src: NonNullable<ReturnType<typeof legById>>, inputs: Record<string, unknown>): void {
  const reason = parseReason([MEDIA_LOST_REASON]);
  const cls = classifyBye(src, reason);
  terminatePending(w, src);
  w.decisions.push(decision(w, 'CLS-MSRP', cls.cls, `The media connection of the network leg ${src.id} was lost without a BYE: handled as a release by that side with cause 503 (${cls.branch}); the PF ends its dialog.`, inputs));
  w.decisions.push({ ...clsDecision(cls, src, reason, w.s.id), servedUser: w.s.servedUser });
  sendBye(w, src, [MEDIA_LOST_REASON]);
  const o = { src, okHeaders: {}, reasonValues: [MEDIA_LOST_REASON] };
  if (cls.next === 'BYE-3') iwfRelease(w, o);
  else remoteRelease(w, o, cls);
}
