// A SIP message's text as the engine's SipMessageView. The shell parses every message it hands
// the engine with this, and a recorded view written as its text (D-298) is read back with it, so
// replay sees the same view. Header lines are kept apart (srf's own parser joins repeated headers
// with commas, losing the boundaries Reason, CPIM and Accept-Contact parsing depend on).
import type { SipMessageView } from '../message';

export function viewOfText(raw: string): SipMessageView {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header.
  const lines = head.split(/\r\n(?![ \t])/);
  const start = lines.shift() ?? '';
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/\r\n[ \t]+/g, ' ').trim();
    (headers[name] ??= []).push(value);
  }
  const req = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (req) return { method: req[1].toUpperCase(), uri: req[2], headers, body };
  const res = /^SIP\/2\.0 (\d{3})/.exec(start);
  return { status: res ? Number(res[1]) : undefined, headers, body };
}
