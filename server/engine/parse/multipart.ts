// multipart/mixed bodies (RFC 2046 §5.1), used for aggregated IMDNs (SPEC §3.2, §12.2.5): parsed
// when one arrives (DSP-1c) and built when the PF aggregates (IMDN-DLV-3, IMDN-GEN-6).
import { parseContentType } from './content-type';
import type { MimeHeader } from './cpim';

export interface MimePart {
  headers: MimeHeader[];
  contentType?: string;
  body: string;
}

export type MultipartErrorCode = 'NOT_MULTIPART' | 'NO_BOUNDARY' | 'NO_PARTS' | 'BAD_PART' | 'TOO_MANY_PARTS';

export type MultipartResult =
  | { ok: true; value: MimePart[] }
  | { ok: false; error: { code: MultipartErrorCode; message: string } };

export const MULTIPART_MAX_PARTS = 1000;

function splitLines(s: string): string[] {
  return s.split('\n').map((l) => l.replace(/\r$/, ''));
}

/** Split a multipart body into its parts, in order. Never throws. */
export function parseMultipart(contentTypeValue: string, body: string): MultipartResult {
  const ct = parseContentType(contentTypeValue);
  if (!ct.mediaType.startsWith('multipart/')) {
    return { ok: false, error: { code: 'NOT_MULTIPART', message: `Content-Type "${ct.mediaType}" is not multipart` } };
  }
  const boundary = ct.params['boundary'];
  if (!boundary || boundary.length > 200) {
    return { ok: false, error: { code: 'NO_BOUNDARY', message: 'the multipart Content-Type has no usable boundary parameter' } };
  }
  const delimiter = `--${boundary}`;
  const lines = splitLines(typeof body === 'string' ? body : '');
  const rawParts: string[][] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const t = line.replace(/[ \t]+$/, '');
    if (t === delimiter || t === `${delimiter}--`) {
      if (current) rawParts.push(current);
      if (rawParts.length > MULTIPART_MAX_PARTS) {
        return { ok: false, error: { code: 'TOO_MANY_PARTS', message: `more than ${MULTIPART_MAX_PARTS} parts` } };
      }
      if (t !== delimiter) {
        closed = true;
        current = undefined;
        break;
      }
      current = [];
      continue;
    }
    if (current) current.push(line);
  }
  if (!closed && current) rawParts.push(current);
  if (rawParts.length === 0) return { ok: false, error: { code: 'NO_PARTS', message: `no part delimited by "${delimiter}"` } };
  const parts: MimePart[] = [];
  for (const [idx, pl] of rawParts.entries()) {
    const blank = pl.indexOf('');
    const headerLines = blank < 0 ? pl : pl.slice(0, blank);
    const headers: MimeHeader[] = [];
    for (const l of headerLines) {
      if ((l.startsWith(' ') || l.startsWith('\t')) && headers.length > 0) {
        headers[headers.length - 1].value += ' ' + l.trim();
        continue;
      }
      const colon = l.indexOf(':');
      if (colon <= 0) return { ok: false, error: { code: 'BAD_PART', message: `part ${idx + 1} has a header line without a name` } };
      headers.push({ name: l.slice(0, colon).trim(), value: l.slice(colon + 1).trim() });
    }
    // The CRLF before the next delimiter belongs to the delimiter, not to the part.
    const bodyLines = blank < 0 ? [] : pl.slice(blank + 1);
    const partBody = bodyLines.join('\r\n');
    const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
    parts.push({ headers, contentType, body: partBody });
  }
  return { ok: true, value: parts };
}

/** Build a multipart body with CRLF line ends. */
export function formatMultipart(boundary: string, parts: MimePart[]): string {
  let out = '';
  for (const p of parts) {
    out += `--${boundary}\r\n`;
    for (const h of p.headers) out += `${h.name}: ${h.value}\r\n`;
    out += `\r\n${p.body}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}
