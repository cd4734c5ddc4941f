// Overload control (issue 17, DECISIONS D-150, D-345, D-348): whether the PF takes on a new
// request, decided from its own headroom. Pure: the shell measures (event-loop lag, requests it
// holds unanswered, those of them waiting on a next hop) and applies the verdict; the embedded
// edge answers a refusal statelessly, before any parse of ours.
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
   * how long `pending` has stood high (watchPending: from reaching maxPending until it has stayed
   * below half of it for the grace); 0 while it is not high (D-348)
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

/** What the shell keeps of the pending count between readings (D-348); {} at the start. */
export interface PendingWatch {
  /** since when the count has stood high (absent: it does not) */
  highSince?: number;
  /** while high: since when it has been below half of maxPending (absent: it is not) */
  lowSince?: number;
  /** the last reading's time */
  at?: number;
}

/**
 * The watch after a new reading of the pending count (ms on the shell's clock). The count stands
 * high from the reading that reaches maxPending until it has stayed below half of it for
 * `calmMs`. Under sustained overload the PF answers in batches (one per turn of its thread), so
 * the count drops far below the limit for a moment and refills from the arrivals within
 * milliseconds: neither the dip below the limit nor one below half may start a new burst's
 * grace. Readings come with offered requests; without any the count can only fall, so a low
 * reading after a silence counts as low since the reading before it.
 */
export function watchPending(w: PendingWatch, pending: number, maxPending: number, calmMs: number, nowMs: number): PendingWatch {
  if (maxPending <= 0) return {};
  if (w.highSince === undefined) return pending >= maxPending ? { highSince: nowMs, at: nowMs } : { at: nowMs };
  if (pending >= maxPending / 2) return { highSince: w.highSince, at: nowMs };
  const lowSince = w.lowSince ?? w.at ?? nowMs;
  return nowMs - lowSince >= calmMs ? { at: nowMs } : { highSince: w.highSince, lowSince, at: nowMs };
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
