// Event header (RFC 6665 §8.2.1): `event-type *( ";" event-param )`. The package and template
// tokens are compared case-insensitively (DSP-4); `id` correlates NOTIFYs to subscriptions (§6.2).
import { parseParam, splitOutsideQuotes } from './header-lists';

export interface EventHeader {
  /** the whole event-type, lower-cased, e.g. `conference`, `deferred-messages`, `presence.winfo` */
  eventType: string;
  /** the package part before the first template dot */
  package: string;
  templates: string[];
  id?: string;
  params: Record<string, string | undefined>;
}

export type EventErrorCode = 'MISSING' | 'BAD_EVENT_TYPE' | 'UNTERMINATED_QUOTE';

export type EventResult =
  | { ok: true; value: EventHeader }
  | { ok: false; error: { code: EventErrorCode; message: string } };

// RFC 3261 token characters (event-type is token-nodot *( "." token-nodot ))
const TOKEN_NODOT = /^[A-Za-z0-9\-!%*_+`'~]+$/;

export function parseEvent(raw: string | undefined): EventResult {
  if (raw === undefined || raw.trim() === '') {
    return { ok: false, error: { code: 'MISSING', message: 'Event header is missing or empty' } };
  }
  const split = splitOutsideQuotes(raw, ';');
  if (split.unterminatedQuote) {
    return { ok: false, error: { code: 'UNTERMINATED_QUOTE', message: 'Event header has an unterminated quoted string' } };
  }
  const eventType = split.parts[0].trim().toLowerCase();
  const pieces = eventType.split('.');
  if (!pieces.every((p) => TOKEN_NODOT.test(p))) {
    return { ok: false, error: { code: 'BAD_EVENT_TYPE', message: `"${eventType.slice(0, 40)}" is not an event type` } };
  }
  const params: Record<string, string | undefined> = {};
  for (const rawParam of split.parts.slice(1)) {
    const p = parseParam(rawParam);
    if (p === undefined) continue;
    params[p.name] = p.value;
  }
  const value: EventHeader = { eventType, package: pieces[0], templates: pieces.slice(1), params };
  // the id is compared as written (RFC 6665 compares it case-sensitively)
  if (params.id !== undefined) value.id = params.id;
  return { ok: true, value };
}
