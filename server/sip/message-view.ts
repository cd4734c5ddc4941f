// Turns a raw SIP message (as srf received it) into the engine's SipMessageView. srf's own parser
// joins repeated header lines with commas, which loses the line boundaries that Reason, CPIM and
// Accept-Contact parsing depend on, so the shell splits the raw text itself. With the embedded
// edge the raw message is a byte string (one character per byte, D-112), so the body is exactly
// the bytes that came; a compressed body is inflated here, once, for the engine to inspect.
import { header, type SipMessageView } from '../engine/message';
import type { Inspectable } from '../engine/parse/content-encoding';
import { inspectable } from './inflate';

export function viewFromRaw(raw: string): SipMessageView {
  return inspectView(viewOnly(raw)).view;
}

/** The view, and what inflating its body gave (for the engine's BODY check). */
export function inspectView(view: SipMessageView): { view: SipMessageView; inspection: Inspectable } {
  const inspection = inspectable(view.body, header(view, 'content-encoding'));
  if (!inspection.ok) return { view: { ...view, text: '' }, inspection };
  if ('opaque' in inspection) return { view: { ...view, text: '' }, inspection };
  return { view: inspection.encoding ? { ...view, text: inspection.text } : view, inspection };
}

export function viewOnly(raw: string): SipMessageView {
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
