// Overload control (issue 17, DECISIONS D-150, D-345): whether the PF takes on a new request,
// decided from its own headroom. Pure: the shell measures (event-loop lag, requests it holds
// unanswered, those of them waiting on a next hop) and applies the verdict; the embedded edge
// answers a refusal statelessly, before any parse of ours.
//
// Only new work is refused. ACK and CANCEL, and requests inside a dialog (BYE, NOTIFY, re-INVITE),
// finish work already accepted and always pass: refusing them would waste what was spent.

export interface Headroom {
  /** event-loop delay in the last measuring window, above the timer's own period (ms) */
  lagMs: number;
  /** requests handed to the PF that have no answer from it yet (final or provisional), less `waiting` */
  pending: number;
  /**
   * of those, the ones whose PF work is done and which wait on a request the PF sent for them (a
   * forwarded MESSAGE waits for the contact's answer, up to 20 s, D-115); counted apart (D-345),
   * where the shell can tell them (the MESSAGE link), else 0 and they are in `pending`
   */
  waiting: number;
}

export interface OverloadLimits {
  /** refuse new requests while this many are pending (0: no limit) */
  maxPending: number;
  /** refuse new requests while this many wait on a next hop (0: no limit): the memory they hold (D-345) */
  maxWaiting: number;
  /** refuse new requests while the event loop lags this much (ms; 0: no limit) */
  maxLagMs: number;
  /** seconds written in Retry-After */
  retryAfterSec: number;
}

export interface OfferedRequest {
  method: string;
  /** the request carries a To tag: it belongs to a dialog */
  inDialog: boolean;
}

/** what can be over its limit: each refusal names one (the metrics count by it, D-332) */
export const OVERLOAD_REASONS = ['pending', 'waiting', 'lag'] as const;

export type OverloadVerdict =
  | { admit: true }
  | { admit: false; status: 503; reason: (typeof OVERLOAD_REASONS)[number]; retryAfterSec: number };

const ADMIT: OverloadVerdict = { admit: true };

export function overloadVerdict(req: OfferedRequest, h: Headroom, limits: OverloadLimits): OverloadVerdict {
  if (req.method === 'ACK' || req.method === 'CANCEL' || req.inDialog) return ADMIT;
  if (limits.maxPending > 0 && h.pending >= limits.maxPending) return { admit: false, status: 503, reason: 'pending', retryAfterSec: limits.retryAfterSec };
  if (limits.maxWaiting > 0 && h.waiting >= limits.maxWaiting) return { admit: false, status: 503, reason: 'waiting', retryAfterSec: limits.retryAfterSec };
  if (limits.maxLagMs > 0 && h.lagMs >= limits.maxLagMs) return { admit: false, status: 503, reason: 'lag', retryAfterSec: limits.retryAfterSec };
  return ADMIT;
}
