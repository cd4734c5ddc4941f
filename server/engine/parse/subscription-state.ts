// Subscription-State (RFC 6665 §8.2.3, SPEC §3.4). Tolerant of LWS around ";" and "=" because
// the seed itself writes "terminated; reason=noresource".
import { parseParam, splitOutsideQuotes } from './header-lists';

export type SubState = 'active' | 'pending' | 'terminated';

export interface SubscriptionState {
  state: SubState;
  /** lower-cased reason token; undefined when absent */
  reason?: string;
  expires?: number;
  retryAfter?: number;
}

export type SubscriptionStateErrorCode = 'MISSING' | 'UNKNOWN_STATE' | 'UNTERMINATED_QUOTE';

export type SubscriptionStateResult =
  | { ok: true; value: SubscriptionState }
  | { ok: false; error: { code: SubscriptionStateErrorCode; message: string } };

const STATES = new Set<string>(['active', 'pending', 'terminated']);

export function parseSubscriptionState(raw: string | undefined): SubscriptionStateResult {
  if (raw === undefined || raw.trim() === '') {
    return { ok: false, error: { code: 'MISSING', message: 'Subscription-State header is missing or empty' } };
  }
  const split = splitOutsideQuotes(raw, ';');
  if (split.unterminatedQuote) {
    return { ok: false, error: { code: 'UNTERMINATED_QUOTE', message: 'Subscription-State has an unterminated quoted string' } };
  }
  const state = split.parts[0].trim().toLowerCase();
  if (!STATES.has(state)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_STATE', message: `Subscription-State "${state.slice(0, 40)}" is not active, pending or terminated` },
    };
  }
  const value: SubscriptionState = { state: state as SubState };
  for (const rawParam of split.parts.slice(1)) {
    const p = parseParam(rawParam);
    if (p === undefined || p.value === undefined) continue;
    if (p.name === 'reason') {
      const reason = p.value.trim().toLowerCase();
      if (reason !== '') value.reason = reason;
    } else if (p.name === 'expires') {
      const n = deltaSeconds(p.value);
      if (n !== undefined) value.expires = n;
    } else if (p.name === 'retry-after') {
      const n = deltaSeconds(p.value);
      if (n !== undefined) value.retryAfter = n;
    }
  }
  return { ok: true, value };
}

// A non-numeric value is treated as absent (SSP), not as 0.
function deltaSeconds(v: string): number | undefined {
  const t = v.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  return Number(t);
}
