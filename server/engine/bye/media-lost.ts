// D-165: a client's media connection (its MSRP TCP connection to the PF) went away without a BYE.
// Without its media the client cannot take part in the session, so this is the client's connection
// loss, classified like a BYE from a core node (CLS-3, NETWORK_RELEASE): with another suitable
// device still connected only this leg ends (BYE-1b-i-B), otherwise BYE-4 decides whether the PF
// stays in the media path (and intercepts) or passes the release on. The client's SIP dialog is of
// no use without its media: the PF ends it with a BYE carrying Reason cause=503, so the client
// knows to re-join with a new INVITE (BYE-4-R-iii-2) rather than hold a dialog with no media.
// A network leg's lost connection is not acted upon: the network side ends its part by BYE.
import { sendBye } from './build-request';
import { legById, type Work } from './bye-state';
import type { MediaConnectionLost } from './inputs';
import { networkRelease } from './network-release';
import { terminatePending } from './preconditions';
import { decision } from './relay';

export const MEDIA_LOST_REASON = 'SIP;cause=503;text="MSRP connection lost"';

export function mediaConnectionLost(w: Work, input: MediaConnectionLost): void {
  const src = legById(w, input.legId);
  const inputs = { legId: input.legId, legKind: src?.kind, legState: src?.state, mode: w.s.mode, seen: input.reason };
  if (src === undefined || src.state !== 'CONNECTED' || w.s.mode === 'RELEASED') {
    w.decisions.push(decision(w, 'CLS-MSRP', 'IGNORED', `The media connection of ${input.legId} closed after its leg was already ended; nothing to do.`, inputs));
    return;
  }
  if (src.kind !== 'CLIENT' && src.iwfSide !== 'SERVED') {
    w.decisions.push(decision(w, 'CLS-MSRP', 'IGNORED', `The media connection of the network leg ${src.id} closed; the network side ends its part by BYE, the PF waits for it.`, inputs));
    return;
  }
  terminatePending(w, src);
  w.decisions.push(decision(w, 'CLS-MSRP', 'NETWORK_RELEASE', `The media connection of ${src.id} was lost without a BYE: handled as a lost client connection (as CLS-3); the PF ends that client's dialog.`, inputs));
  sendBye(w, src, [MEDIA_LOST_REASON]);
  networkRelease(w, { src, okHeaders: {}, reasonValues: [MEDIA_LOST_REASON] });
}
