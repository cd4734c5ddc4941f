// Requests the PF generates in an existing dialog (SPEC §5.0, RFC 3261 §12.2.1.1): the leg's own
// Call-ID, tags, remote target and route set, and the next local CSeq. Via is the shell's.
import type { Effect, Headers } from '../effects';
import type { Leg } from '../model';
import type { Work } from './bye-state';

function dialogHeaders(leg: Leg, method: string, cseq: number): Headers {
  const d = leg.dialog;
  const h: Headers = {
    'Call-ID': d.callId,
    From: `${nameAddr(d.localUri)};tag=${d.localTag}`,
    To: `${nameAddr(d.remoteUri)};tag=${d.remoteTag}`,
    CSeq: `${cseq} ${method}`,
    'Max-Forwards': '70',
  };
  if (d.routeSet !== undefined && d.routeSet.length > 0) h.Route = [...d.routeSet];
  return h;
}

function nameAddr(uri: string | undefined): string {
  return uri === undefined ? '<sip:anonymous@anonymous.invalid>' : `<${uri}>`;
}

/** Take the next CSeq on the leg (the session copy is updated) and remember the request as outstanding. */
function nextCseq(w: Work, leg: Leg, method: 'BYE' | 'INVITE'): number {
  const cseq = (leg.dialog.localCseq ?? 0) + 1;
  leg.dialog.localCseq = cseq;
  w.s.bye.outstanding[leg.id] = { method, cseq };
  return cseq;
}

/**
 * STOP_MEDIA then SEND_REQ(BYE) on the leg; the leg becomes TERMINATING. Resources are freed when
 * the answer (or a timeout) comes back (SPEC §5.0).
 */
export function sendBye(w: Work, leg: Leg, reasonValues: string[]): void {
  const headers = dialogHeaders(leg, 'BYE', nextCseq(w, leg, 'BYE'));
  if (w.ctx.policy.propagateReasonHeader && reasonValues.length > 0) headers.Reason = [...reasonValues];
  headers['Content-Length'] = '0';
  w.effects.push({ kind: 'STOP_MEDIA', legs: [leg.id] });
  w.effects.push({ kind: 'SEND_REQ', leg: leg.id, method: 'BYE', uri: leg.dialog.remoteTarget, headers });
  leg.state = 'TERMINATING';
}

/** A re-INVITE carrying `sdp`, which becomes the leg's local SDP. */
export function sendReinvite(w: Work, leg: Leg, sdp: string): Effect {
  const headers = dialogHeaders(leg, 'INVITE', nextCseq(w, leg, 'INVITE'));
  headers['Content-Type'] = 'application/sdp';
  leg.localSdp = sdp;
  const e: Effect = { kind: 'SEND_REQ', leg: leg.id, method: 'INVITE', uri: leg.dialog.remoteTarget, headers, body: sdp };
  w.effects.push(e);
  return e;
}

/** ACK for a 2xx to a re-INVITE: same CSeq number as the INVITE (RFC 3261 §13.2.2.4). */
export function sendAck(w: Work, leg: Leg, inviteCseq: number): void {
  const headers = dialogHeaders(leg, 'ACK', inviteCseq);
  w.effects.push({ kind: 'SEND_REQ', leg: leg.id, method: 'ACK', uri: leg.dialog.remoteTarget, headers });
}

/** Headers of the 200 to a received BYE: Via, From, To, Call-ID and CSeq copied (SPEC §5.0). */
export function okHeadersFor(message: { headers: Record<string, string[]> }): Headers {
  const pick = (name: string, compact?: string): string[] => {
    const out: string[] = [];
    for (const [k, v] of Object.entries(message.headers)) {
      const key = k.toLowerCase();
      if (key === name || key === compact) out.push(...v);
    }
    return out;
  };
  const h: Headers = {};
  const via = pick('via', 'v');
  if (via.length > 0) h.Via = via;
  for (const [name, compact, out] of [
    ['from', 'f', 'From'],
    ['to', 't', 'To'],
    ['call-id', 'i', 'Call-ID'],
    ['cseq', undefined, 'CSeq'],
  ] as const) {
    const v = pick(name, compact);
    if (v.length > 0) h[out] = v[0];
  }
  h['Content-Length'] = '0';
  return h;
}
