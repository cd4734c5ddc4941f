// Where requests the PF originates "through the SIP/IP core" go: to a served user of this PF by
// re-entering the terminating path in-process (this PF is also that user's PF), to anyone else
// through the configured outbound proxy, or straight to the Request-URI's host.
import type { SipMessageView } from '../engine/message';
import { aorOf } from './addresses';
import { sendRequest, type ForkOutcome } from './forward';
import { inspectView } from './message-view';
import { hostResolves, sipHost } from './resolve';
import type { RequestSender, SrfResponseOut } from './srf-types';

export type LocalTerminating = (view: SipMessageView, servedUser: string, res: SrfResponseOut) => void;

export interface CoreRouterDeps {
  /** sends requests outside a dialog: srf, or the MESSAGE link in front of it (D-341) */
  requests: RequestSender;
  isServed: (aor: string) => boolean;
  outboundProxy?: string;
  local: () => LocalTerminating;
}

let localSeq = 0;

export function coreRouter(deps: CoreRouterDeps) {
  return (req: { method: string; uri: string; headers: Record<string, string>; body?: string }, timeoutMs: number): Promise<ForkOutcome> => {
    const aor = aorOf(req.uri);
    if (aor && deps.isServed(aor)) {
      return new Promise((resolve) => {
        const headers: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = [v];
        headers['call-id'] ??= [`local-${Date.now()}-${++localSeq}`];
        headers['cseq'] ??= [`1 ${req.method}`];
        // The same inspection as a request from the wire: a compressed notification is read inflated.
        const { view } = inspectView({ method: req.method, uri: req.uri, headers, body: req.body ?? '' });
        let done = false;
        const res: SrfResponseOut = {
          send(status: number, reason?: string | object) {
            if (done) return;
            done = true;
            resolve({ contact: req.uri, status, reason: typeof reason === 'string' ? reason : '' });
          },
        };
        deps.local()(view, aor, res);
      });
    }
    const headers = { ...req.headers, To: req.headers.To ?? `<${req.uri}>` };
    // With a proxy the Request-URI stays the original one and the edge sends it to the proxy.
    const proxy = deps.outboundProxy ? `sip:${deps.outboundProxy}` : undefined;
    // Straight to a host that does not resolve: no transaction to wait out (D-113).
    const host = proxy ? undefined : sipHost(req.uri);
    if (host !== undefined) {
      return hostResolves(host).then((ok) =>
        ok ? sendRequest(deps.requests, req.uri, { method: req.method, headers, body: req.body, proxy }, timeoutMs) : { contact: req.uri, status: 404, reason: 'Not Found' },
      );
    }
    return sendRequest(deps.requests, req.uri, { method: req.method, headers, body: req.body, proxy }, timeoutMs);
  };
}

export type CoreRoute = ReturnType<typeof coreRouter>;
