// A SIP message's text as the engine's SipMessageView. The shell parses every message it hands
// the engine with this, and a recorded view written as its text (D-298) is read back with it, so
// replay sees the same view. Header lines are kept apart (srf's own parser joins repeated headers
// with commas, losing the boundaries Reason, CPIM and Accept-Contact parsing depend on).
import type { SipMessageView } from '../message';

// Module constants: a regular-expression literal in the function would be a new object on each
// call and each header line (D-340). None is sticky, and replace resets a global one's lastIndex.
const LINE_BREAK_NOT_FOLDED = /\r\n(?![ \t])/;
const FOLD = /\r\n[ \t]+/g;
const REQUEST_LINE = /^([A-Za-z]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 (\d{3})/;

export function viewOfText(raw: string): SipMessageView {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header.
  const lines = head.split(LINE_BREAK_NOT_FOLDED);
  const start = lines.shift() ?? '';
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    let value = line.slice(colon + 1);
    if (value.includes('\r\n')) value = value.replace(FOLD, ' ');
    (headers[name] ??= []).push(value.trim());
  }
  const req = REQUEST_LINE.exec(start);
  if (req) return { method: req[1].toUpperCase(), uri: req[2], headers, body };
  const res = STATUS_LINE.exec(start);
  return { status: res ? Number(res[1]) : undefined, headers, body };
}
