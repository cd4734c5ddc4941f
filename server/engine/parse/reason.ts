// Reason header (RFC 3326, SPEC §3.1). Total: every input string gives a ParsedReason, never a
// throw, because a BYE with a mangled Reason must still be classified (CLS) and answered.
import { splitOutsideQuotes } from './header-lists';
import { headerValues, type SipMessageView } from '../message';

export interface ReasonOther {
  /** upper-cased protocol token, e.g. Q.850, RELEASE_CAUSE */
  protocol: string;
  cause?: number;
}

export interface ParsedReason {
  /** at least one non-blank Reason header line */
  present: boolean;
  /** a SIP value exists, even one whose cause is missing or not numeric */
  sipPresent: boolean;
  /** cause of the first SIP value; undefined when missing or not all digits (never 0 by default) */
  sipCause?: number;
  /** text of the first SIP value */
  text?: string;
  /** every non-SIP value in order (the CLS-2x fallback reads them, AMB-31) */
  others: ReasonOther[];
}

interface ReasonValue {
  protocol: string;
  cause?: number;
  text?: string;
}

/** Parse the Reason header lines of a message (full name only; Reason has no compact form). */
export function reasonOf(msg: Pick<SipMessageView, 'headers'>): ParsedReason {
  return parseReason(headerValues(msg, 'reason'));
}

/** Parse one or more Reason header line values, joined in order. */
export function parseReason(lines: readonly string[]): ParsedReason {
  const present = lines.some((l) => l.trim() !== '');
  const values: ReasonValue[] = [];
  for (const line of lines) {
    for (const raw of splitOutsideQuotes(line, ',').parts) {
      const v = parseValue(raw);
      if (v !== undefined) values.push(v);
    }
  }
  // RFC 3326 allows one value per protocol; on a violation the first SIP value wins.
  const sip = values.find((v) => v.protocol === 'SIP');
  const others = values.filter((v) => v.protocol !== 'SIP').map((v) => withCause({ protocol: v.protocol }, v.cause));
  const out: ParsedReason = { present, sipPresent: sip !== undefined, others };
  if (sip?.cause !== undefined) out.sipCause = sip.cause;
  if (sip?.text !== undefined) out.text = sip.text;
  return out;
}

function withCause(o: ReasonOther, cause: number | undefined): ReasonOther {
  if (cause !== undefined) o.cause = cause;
  return o;
}

function parseValue(raw: string): ReasonValue | undefined {
  const [head, ...params] = splitOutsideQuotes(raw, ';').parts;
  const protocol = head.trim().toUpperCase();
  if (protocol === '' || /[\s"]/.test(protocol)) return undefined;
  const v: ReasonValue = { protocol };
  let causeSeen = false;
  let textSeen = false;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1).trim();
    if (name === 'cause' && !causeSeen) {
      causeSeen = true;
      const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (Number.isSafeInteger(n)) v.cause = n;
    } else if (name === 'text' && !textSeen) {
      textSeen = true;
      v.text = unquote(value);
    }
  }
  return v;
}

function unquote(v: string): string {
  if (!v.startsWith('"')) return v;
  const end = v.length >= 2 && v.endsWith('"') && !isEscaped(v, v.length - 1) ? v.length - 1 : v.length;
  return v.slice(1, end).replace(/\\(.)/g, '$1');
}

function isEscaped(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}
