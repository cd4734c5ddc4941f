// Overload control (issue 17, DECISIONS D-150, D-345): whether the PF takes on a new request,
// decided from its own headroom. Pure: the shell measures (event-loop lag, requests it holds
// unanswered, those of them waiting on a next hop) and applies the verdict; the embedded edge
// answers a refusal statelessly, before any parse of ours.
//
// The pending count is a queue, and a queue that stands differs from a burst (D-348): after a
// pause of the main thread (a full collection) the count jumps and then drains by itself, so it is
// held to its limit only once it has stood high for a grace period, and to four times the limit
// at once.
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
  /**
   * how long `pending` has stood high: since it reached maxPending, until it fell below half of
   * it (pendingHighSince); 0 while it is not high (D-348)
   */
  pendingHighMs: number;
}

export interface OverloadLimits {
  /**
   * refuse new requests while this many are pending and the count has stood high for
   * pendingGraceMs, or at once while PENDING_BURST_FACTOR times this many are (0: no limit)
   */
  maxPending: number;
  /** how long a burst may keep the pending count high before the limit holds (ms; 0: at once) (D-348) */
  pendingGraceMs: number;
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

/**
 * During the grace a burst may take the pending count to this many times maxPending, never
 * further: what the PF holds stays bounded (D-348).
 */
export const PENDING_BURST_FACTOR = 4;

/**
 * Since when the pending count has stood high (ms on the shell's clock; undefined: it does not),
 * from the last value and a new reading: high from the reading that reaches maxPending until one
 * below half of it. The band between keeps a queue that hovers at the limit under sustained
 * overload counted as one standing queue, not a new burst each time it dips below (D-348).
 */
export function pendingHighSince(prev: number | undefined, pending: number, maxPending: number, nowMs: number): number | undefined {
  if (maxPending <= 0) return undefined;
  if (prev === undefined) return pending >= maxPending ? nowMs : undefined;
  return pending < maxPending / 2 ? undefined : prev;
}

function pendingOver(h: Headroom, limits: OverloadLimits): boolean {
  if (limits.maxPending <= 0 || h.pending < limits.maxPending) return false;
  return h.pending >= limits.maxPending * PENDING_BURST_FACTOR || h.pendingHighMs >= limits.pendingGraceMs;
}

export function overloadVerdict(req: OfferedRequest, h: Headroom, limits: OverloadLimits): OverloadVerdict {
  if (req.method === 'ACK' || req.method === 'CANCEL' || req.inDialog) return ADMIT;
  if (pendingOver(h, limits)) return { admit: false, status: 503, reason: 'pending', retryAfterSec: limits.retryAfterSec };
  if (limits.maxWaiting > 0 && h.waiting >= limits.maxWaiting) return { admit: false, status: 503, reason: 'waiting', retryAfterSec: limits.retryAfterSec };
  if (limits.maxLagMs > 0 && h.lagMs >= limits.maxLagMs) return { admit: false, status: 503, reason: 'lag', retryAfterSec: limits.retryAfterSec };
  return ADMIT;
}
