// Accept-Contact (RFC 3841) reduced to what dispatch needs (SPEC §3.3): the CPM ICSIs named and
// every other feature string, which DSP-7 looks up in policy.iariSkipMap.
import type { SipMessageView } from '../message';
import { headerValues } from '../message';
import { ICSI_TAG, IARI_TAG, cpmServiceOf, percentDecode, type CpmService } from './feature-tags';
import { parseParam, splitOutsideQuotes } from './header-lists';

export interface AcceptContact {
  /** CPM ICSIs found, each once, in the order first seen */
  icsis: CpmService[];
  /**
   * Every other feature string, each once: `name=decoded-value` for each list element of an
   * icsi-ref / iari-ref, `name=value` for other valued tags, `name` for bare tags. Names lower-cased.
   */
  additional: string[];
  /** ac-values that could not be read; each was skipped on its own, the others still count */
  malformed: AcceptContactError[];
}

export type AcceptContactErrorCode = 'UNTERMINATED_QUOTE' | 'NOT_AC_VALUE';
export interface AcceptContactError {
  code: AcceptContactErrorCode;
  message: string;
}

/**
 * `ok: false` only when the header holds malformed values and no readable one: a malformed
 * ac-value is skipped on its own (RFC 3841 matches each ac-value separately), so it never hides a
 * good value beside it, on the same line or another.
 */
export type AcceptContactResult = { ok: true; value: AcceptContact } | { ok: false; error: AcceptContactError };

// Not feature tags (RFC 3841 §10): they steer matching, they do not describe the request.
const NON_FEATURE = new Set(['require', 'explicit', 'q']);
const LIST_TAGS = new Set([ICSI_TAG, IARI_TAG]);

/** Parse every Accept-Contact header line (full or compact `a` form) of a message. */
export function acceptContactOf(msg: Pick<SipMessageView, 'headers'>): AcceptContactResult {
  return parseAcceptContact(headerValues(msg, 'accept-contact'));
}

// Clients send the same few Accept-Contact lines on every request, and dispatch and IMDN-DLV-1
// parsed them again each time: about 4 % of the main thread's allocation under IMDN load
// (bench/profiles/ea51919-1000-heap.txt). One line's result is kept, frozen, as it is shared.
const MEMO_MAX = 512;
const memo = new Map<string, AcceptContactResult>();

export function parseAcceptContact(lines: readonly string[]): AcceptContactResult {
  if (lines.length !== 1) return parseLines(lines);
  let r = memo.get(lines[0]);
  if (!r) {
    if (memo.size >= MEMO_MAX) memo.clear();
    r = deepFreeze(parseLines(lines));
    memo.set(lines[0], r);
  }
  return r;
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

function parseLines(lines: readonly string[]): AcceptContactResult {
  const icsis: CpmService[] = [];
  const additional: string[] = [];
  const malformed: AcceptContactError[] = [];
  let readable = 0;
  const addExtra = (s: string) => {
    if (!additional.includes(s)) additional.push(s);
  };
  for (const line of lines) {
    const values = splitOutsideQuotes(line, ',');
    // an unclosed quote swallows the rest of the line: only that last value is lost
    const parts = values.unterminatedQuote ? values.parts.slice(0, -1) : values.parts;
    if (values.unterminatedQuote) {
      malformed.push({ code: 'UNTERMINATED_QUOTE', message: `Accept-Contact has an unterminated quoted string: ${clip(values.parts[values.parts.length - 1])}` });
    }
    for (const acValue of parts) {
      if (acValue.trim() === '') continue; // empty list elements are tolerated (RFC 3261 §7.3.1)
      const params = splitOutsideQuotes(acValue, ';').parts;
      if (params[0].trim() !== '*') {
        malformed.push({ code: 'NOT_AC_VALUE', message: `Accept-Contact value does not start with "*": ${clip(acValue)}` });
        continue;
      }
      readable++;
      for (const raw of params.slice(1)) {
        const p = parseParam(raw);
        if (p === undefined || NON_FEATURE.has(p.name)) continue;
        if (p.value === undefined) {
          addExtra(p.name);
        } else if (LIST_TAGS.has(p.name)) {
          for (const item of p.value.split(',')) {
            const decoded = percentDecode(item.trim());
            if (decoded === '') continue;
            const svc = p.name === ICSI_TAG ? cpmServiceOf(decoded) : undefined;
            if (svc !== undefined) {
              if (!icsis.includes(svc)) icsis.push(svc);
            } else {
              addExtra(`${p.name}=${decoded}`);
            }
          }
        } else {
          addExtra(`${p.name}=${p.value}`);
        }
      }
    }
  }
  if (readable === 0 && malformed.length > 0) return { ok: false, error: malformed[0] };
  return { ok: true, value: { icsis, additional, malformed } };
}

/** P-Asserted-Service values (RFC 6050) that name a CPM ICSI, in order. */
export function assertedCpmServices(msg: Pick<SipMessageView, 'headers'>): CpmService[] {
  const out: CpmService[] = [];
  for (const line of headerValues(msg, 'p-asserted-service')) {
    for (const item of line.split(',')) {
      const svc = cpmServiceOf(percentDecode(item.trim().replace(/^<|>$/g, '')));
      if (svc !== undefined && !out.includes(svc)) out.push(svc);
    }
  }
  return out;
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
