// CORE (D-113): where a request the served user's client sends to someone this PF does not serve
// goes "through the SIP/IP core" (D-010), and when there is nowhere to send it. Every such request
// gets a final answer with a decision. With an outbound proxy the core decides. Without one the PF
// stands alone: a target in its own domain that is not one of its users is refused at once (404),
// and so is a host it cannot reach (a name that does not resolve), instead of a transaction that
// times out unanswered.
import { decide, type Decision } from '../decision';
import type { Effect } from '../effects';

export interface CoreRouteInput {
  servedUser: string;
  /** the Request-URI */
  target: string;
  /** its host, lower-cased, without brackets; undefined when it is not a SIP URI */
  targetHost?: string;
  /** the PF's own domain(s): users there are this PF's users or nobody's */
  ownDomains: string[];
  /** the target is one of this PF's users: it re-enters the terminating path, which explains itself */
  targetServed: boolean;
  outboundProxy?: string;
  /** the shell's lookup of targetHost: true (an address or a name that resolved), false, or not tried */
  hostResolves?: boolean;
  callId?: string;
  txn: string;
}

export function routeToCore(input: CoreRouteInput): { effects: Effect[]; decisions: Decision[] } {
  const base = { procedure: 'DSP' as const, servedUser: input.servedUser, callId: input.callId };
  const inputs = { target: input.target, host: input.targetHost, outboundProxy: input.outboundProxy ?? null, hostResolves: input.hostResolves ?? null };
  const refuse = (branch: string, code: number, reason: string, summary: string) => ({
    effects: [{ kind: 'SEND_RESP', txn: input.txn, code, reason } as Effect],
    decisions: [decide({ ...base, branch, outcome: 'REJECT', summary, inputs })],
  });
  if (input.targetServed) return { effects: [{ kind: 'FWD_REQ', toLeg: 'core' }], decisions: [] };
  if (!input.targetHost) {
    return refuse('CORE-3', 416, 'Unsupported URI Scheme', `${input.target} is not a SIP URI the PF can route toward the SIP/IP core.`);
  }
  // With a core to hand it to, the core decides: a user of the same domain may be served by
  // another application server (not every subscriber is a CPM subscriber).
  if (input.outboundProxy) {
    return {
      effects: [{ kind: 'FWD_REQ', toLeg: 'core' }],
      decisions: [decide({ ...base, branch: 'CORE-1', outcome: 'FORWARD', summary: `The request goes toward the SIP/IP core through the outbound proxy ${input.outboundProxy}.`, inputs })],
    };
  }
  if (input.ownDomains.includes(input.targetHost)) {
    return refuse('CORE-2', 404, 'Not Found', `${input.target} is in this PF's own domain ${input.targetHost} but is none of its users, and there is no SIP/IP core to ask (no outbound proxy), so nobody can receive it.`);
  }
  if (input.hostResolves === false) {
    return refuse('CORE-4', 404, 'Not Found', `No outbound proxy is configured and ${input.targetHost} does not resolve: there is no route toward ${input.target}.`);
  }
  return {
    effects: [{ kind: 'FWD_REQ', toLeg: 'core' }],
    decisions: [decide({ ...base, branch: 'CORE-1', outcome: 'FORWARD', summary: `No outbound proxy is configured, so the request goes straight to ${input.targetHost}.`, inputs })],
  };
}
