// BYE-P (SPEC §5.1): a proxy PF relays the BYE and its answer along the signalling path. The
// classification may be logged, but it drives nothing here (BYE-P3).
import type { Leg } from '../model';
import { legById, type Work } from './bye-state';
import type { Classification } from './classify';
import { decision } from './relay';

export function proxyBye(w: Work, src: Leg, cls: Classification): void {
  const target =
    src.kind === 'CLIENT'
      ? w.s.legs.find((l) => l.kind !== 'CLIENT' && l.state === 'CONNECTED')
      : w.s.legs.find((l) => l.kind === 'CLIENT' && l.state === 'CONNECTED');
  if (target === undefined) {
    w.decisions.push(decision(w, 'BYE-P1', 'NO_PATH', `No next hop is left on the signalling path of ${src.id}; the BYE is refused.`, { legId: src.id }));
    return;
  }
  w.effects.push({ kind: 'FWD_REQ', toLeg: target.id });
  w.s.bye.proxied[target.id] = src.id;
  w.decisions.push(decision(w, 'BYE-P1', 'FORWARD', `Proxy mode: the BYE from ${src.id} is forwarded to ${target.id} unchanged apart from Via/Route.`, {
    pfMode: w.ctx.policy.pfMode,
    from: src.id,
    to: target.id,
  }));
  w.decisions.push(decision(w, 'BYE-P3', 'LOG_ONLY', `Classified ${cls.branch} (${cls.groupEnd ?? cls.cls}) for the log only; a proxy takes no B2BUA action.`, {
    classification: cls.branch,
  }));
}

/** A response to a forwarded BYE goes back the same way. Returns false when none was forwarded there. */
export function proxyResponse(w: Work, legId: string, status: number): boolean {
  const back = w.s.bye.proxied[legId];
  if (back === undefined) return false;
  w.effects.push({ kind: 'FWD_RESP', toLeg: back });
  const final = status >= 200;
  if (final) {
    delete w.s.bye.proxied[legId];
    for (const id of [legId, back]) {
      const l = legById(w, id);
      if (l !== undefined) l.state = 'TERMINATED';
    }
    if (w.s.legs.every((l) => l.state === 'TERMINATED')) w.s.mode = 'RELEASED';
  }
  const ok = status >= 200 && status < 300;
  w.decisions.push(decision(w, ok || !final ? 'BYE-P2' : 'BYE-P4', 'FORWARD_RESPONSE', `The ${status} answer to the forwarded BYE is relayed back to ${back}.`, { status, from: legId, to: back }));
  return true;
}
