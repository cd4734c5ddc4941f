// srf middleware installed before every PF handler: overload control with an external
// drachtio-server (the embedded edge applies it before srf sees the request; D-150), per-source
// rate limiting (503 + Retry-After),
// a maximum message size (513, RFC 3261 21.5.14), Max-Forwards exhaustion (483, for an external
// drachtio-server the edge does not stand in front of) and loops (482). What passes goes on to the
// handlers unchanged. Which sources are served at all (registered clients, configured peers) is
// the topology's call (server/sip/topology.ts classifySource).
import type { Handler, SrfRequest } from '../srf-types';
import { tagOf } from '../addresses';
import { branchOf, MergedRequests, viaSentBys, type HostPort } from './loop-detector';
import type { OfferedRequest, OverloadVerdict } from './overload';
import { RateLimiter } from './rate-limiter';

export interface TrustOptions {
  /** requests per second per source address (0: off) and the burst allowed above it */
  rate: number;
  burst: number;
  /** the largest SIP message served, in bytes */
  maxMessageBytes: number;
  /** the PF's own SIP addresses, for Via loop detection; read per request */
  self?: () => HostPort[];
  /** source addresses never rate limited (e.g. the S-CSCF every request comes through) */
  exempt?: (address: string) => boolean;
  now?: () => number;
  /** the overload verdict for a request (overload.ts with the measured headroom); unset: none */
  overload?: (req: OfferedRequest) => OverloadVerdict;
}

export interface TrustCounters {
  limited: number;
  tooLarge: number;
  loops: number;
  merged: number;
  maxForwards: number;
  overloaded: number;
  /** the same by the verdict's reason (D-332) */
  overloadedBy: Record<string, number>;
}

export type TrustMiddleware = Handler & { counters: TrustCounters };

function rawOf(req: SrfRequest): string {
  return req.msg.raw ?? req.msg.toString();
}

export function sipTrust(opts: TrustOptions): TrustMiddleware {
  const limiter = new RateLimiter({ rate: opts.rate, burst: opts.burst }, opts.now);
  const merged = new MergedRequests(opts.now);
  const counters: TrustCounters = { limited: 0, tooLarge: 0, loops: 0, merged: 0, maxForwards: 0, overloaded: 0, overloadedBy: {} };
  const reply = (res: Parameters<Handler>[1], status: number, reason: string, headers: Record<string, string> = {}) => {
    if (!res.finished) res.send(status, reason, { headers });
  };

  const mw = ((req, res, next) => {
    // ACK has no response; CANCEL is matched to its INVITE by the stack
    if (req.method === 'ACK' || req.method === 'CANCEL') return next();
    const verdict = opts.overload?.({ method: req.method, inDialog: Boolean(tagOf(req.get('To'))) });
    if (verdict && !verdict.admit) {
      counters.overloaded++;
      counters.overloadedBy[verdict.reason] = (counters.overloadedBy[verdict.reason] ?? 0) + 1;
      return reply(res, verdict.status, 'Service Unavailable', { 'Retry-After': String(verdict.retryAfterSec) });
    }
    if (!(opts.exempt?.(req.source_address) ?? false)) {
      const wait = limiter.take(req.source_address);
      if (wait > 0) {
        counters.limited++;
        return reply(res, 503, 'Service Unavailable', { 'Retry-After': String(wait) });
      }
    }
    const raw = rawOf(req);
    if (Buffer.byteLength(raw) > opts.maxMessageBytes) {
      counters.tooLarge++;
      return reply(res, 513, 'Message Too Large');
    }
    const mf = req.get('Max-Forwards');
    if (mf !== undefined && mf.trim() === '0') {
      counters.maxForwards++;
      return reply(res, 483, 'Too Many Hops');
    }
    const self = new Set((opts.self?.() ?? []).map((a) => `${a.host.toLowerCase()}:${a.port}`));
    if (self.size && viaSentBys(raw).some((v) => self.has(v))) {
      counters.loops++;
      return reply(res, 482, 'Loop Detected');
    }
    const via = req.get('Via');
    const branch = branchOf(via?.split(',')[0]);
    if (!tagOf(req.get('To')) && branch) {
      const key = `${req.get('Call-ID')}|${tagOf(req.get('From')) ?? ''}|${req.get('CSeq')}`;
      if (merged.check(key, branch)) {
        counters.merged++;
        return reply(res, 482, 'Loop Detected');
      }
    }
    next();
  }) as TrustMiddleware;
  mw.counters = counters;
  return mw;
}
