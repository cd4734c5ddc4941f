// CPIM envelope (RFC 3862) as used by IMDN (RFC 5438): message headers, a blank line, the inner
// MIME headers, a blank line, the body. Header names carry namespace prefixes declared by `NS:`
// (`imdn.Message-ID`); repeated headers (`imdn.IMDN-Record-Route`) keep their order because
// routing depends on it.

export const IMDN_CPIM_NS = 'urn:ietf:params:imdn';
export const CPIM_MAX_CHARS = 1024 * 1024;

export interface CpimHeader {
  /** as written, e.g. 'imdn.Message-ID' */
  name: string;
  prefix?: string;
  localName: string;
  /** namespace URI the prefix is bound to by NS:, when declared */
  namespace?: string;
  value: string;
}

export interface MimeHeader {
  name: string;
  value: string;
}

export interface CpimMessage {
  /** envelope headers in the order received (NS: lines included) */
  headers: CpimHeader[];
  /** prefix → namespace URI, from NS: headers */
  namespaces: Record<string, string>;
  /** the encapsulated MIME headers in order */
  contentHeaders: MimeHeader[];
  /** the encapsulated Content-Type value, if any */
  contentType?: string;
  body: string;
}

export type CpimErrorCode = 'TOO_LARGE' | 'NO_ENVELOPE' | 'BAD_HEADER' | 'NO_CONTENT_HEADERS';

export type CpimResult =
  | { ok: true; value: CpimMessage }
  | { ok: false; error: { code: CpimErrorCode; message: string } };

interface Block {
  lines: string[];
  rest: string;
  terminated: boolean;
}

// Module constants: a regular-expression literal in a function is a new object each time it is
// evaluated, here once per line of every IMDN (D-340). None is global or sticky.
const TRAILING_CR = /\r$/;
const LEADING_LINE_BREAKS = /^(\r?\n)+/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NS_VALUE = /^([^\s<]*)\s*<([^>]*)>/;

function takeHeaderBlock(text: string): Block {
  const lines: string[] = [];
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(i, end).replace(TRAILING_CR, '');
    i = nl < 0 ? text.length : nl + 1;
    if (line === '') return { lines, rest: text.slice(i), terminated: true };
    lines.push(line);
  }
  return { lines, rest: '', terminated: false };
}

function unfold(lines: string[]): string[] | undefined {
  const out: string[] = [];
  for (const l of lines) {
    if ((l.startsWith(' ') || l.startsWith('\t')) && out.length > 0) out[out.length - 1] += ' ' + l.trim();
    else out.push(l);
  }
  return out;
}

function splitHeader(line: string): { name: string; value: string } | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const name = line.slice(0, colon).trim();
  if (!HEADER_NAME.test(name)) return undefined;
  return { name, value: line.slice(colon + 1).trim() };
}

/** Parse a message/cpim body. Never throws. */
export function parseCpim(text: string): CpimResult {
  if (typeof text !== 'string') return { ok: false, error: { code: 'NO_ENVELOPE', message: 'the CPIM body is not text' } };
  if (text.length > CPIM_MAX_CHARS) {
    return { ok: false, error: { code: 'TOO_LARGE', message: `the CPIM body has ${text.length} characters, more than ${CPIM_MAX_CHARS}` } };
  }
  const env = takeHeaderBlock(text.replace(LEADING_LINE_BREAKS, ''));
  if (!env.terminated || env.lines.length === 0) {
    return { ok: false, error: { code: 'NO_ENVELOPE', message: 'no CPIM header block followed by a blank line' } };
  }
  const namespaces: Record<string, string> = {};
  const raw: { name: string; value: string }[] = [];
  for (const line of unfold(env.lines) ?? []) {
    const h = splitHeader(line);
    if (!h) return { ok: false, error: { code: 'BAD_HEADER', message: `CPIM header line "${line.slice(0, 80)}" has no name` } };
    raw.push(h);
    if (h.name.toLowerCase() === 'ns') {
      // NS: prefix <urn>  (a missing prefix declares the default namespace)
      const m = NS_VALUE.exec(h.value);
      if (m && m[1] !== '__proto__') namespaces[m[1]] = m[2];
    }
  }
  const headers: CpimHeader[] = raw.map((h) => {
    const dot = h.name.indexOf('.');
    const prefix = dot > 0 ? h.name.slice(0, dot) : undefined;
    const localName = dot > 0 ? h.name.slice(dot + 1) : h.name;
    const namespace = prefix !== undefined ? (Object.hasOwn(namespaces, prefix) ? namespaces[prefix] : undefined) : undefined;
    return { name: h.name, prefix, localName, namespace, value: h.value };
  });
  const inner = takeHeaderBlock(env.rest);
  if (!inner.terminated) {
    // A content block with headers and no body (or no blank line) is still usable if it has headers.
    if (inner.lines.length === 0) {
      return { ok: false, error: { code: 'NO_CONTENT_HEADERS', message: 'the CPIM message has no encapsulated MIME headers' } };
    }
  }
  const contentHeaders: MimeHeader[] = [];
  for (const line of unfold(inner.lines) ?? []) {
    const h = splitHeader(line);
    if (!h) return { ok: false, error: { code: 'BAD_HEADER', message: `MIME header line "${line.slice(0, 80)}" has no name` } };
    contentHeaders.push(h);
  }
  const contentType = contentHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value;
  return { ok: true, value: { headers, namespaces, contentHeaders, contentType, body: inner.rest } };
}

/** Every value of an unprefixed envelope header (case-insensitive name), in order. */
export function cpimHeaderValues(msg: CpimMessage, name: string): string[] {
  const n = name.toLowerCase();
  return msg.headers.filter((h) => h.prefix === undefined && h.localName.toLowerCase() === n).map((h) => h.value);
}

/** The first value of an unprefixed envelope header (From, To, DateTime …). */
export function cpimHeader(msg: CpimMessage, name: string): string | undefined {
  return cpimHeaderValues(msg, name)[0];
}

/**
 * Every value of an IMDN-namespace header (`imdn.Message-ID` …), in order. The prefix is whatever
 * NS: bound to urn:ietf:params:imdn; an undeclared `imdn.` prefix is accepted too, because
 * deployed clients sometimes leave the NS: line out.
 */
export function imdnHeaderValues(msg: CpimMessage, localName: string): string[] {
  const n = localName.toLowerCase();
  return msg.headers
    .filter(
      (h) =>
        h.prefix !== undefined &&
        h.localName.toLowerCase() === n &&
        (h.namespace === IMDN_CPIM_NS || (h.namespace === undefined && h.prefix.toLowerCase() === 'imdn')),
    )
    .map((h) => h.value);
}

export function imdnHeader(msg: CpimMessage, localName: string): string | undefined {
  return imdnHeaderValues(msg, localName)[0];
}

/** The value of an encapsulated MIME header (case-insensitive). */
export function contentHeader(msg: CpimMessage, name: string): string | undefined {
  const n = name.toLowerCase();
  return msg.contentHeaders.find((h) => h.name.toLowerCase() === n)?.value;
}

/** Serialise a CPIM message with CRLF line ends (used for generated and aggregated IMDNs). */
export function formatCpim(headers: { name: string; value: string }[], contentHeaders: MimeHeader[], body: string): string {
  const lines = headers.map((h) => `${h.name}: ${h.value}`);
  const inner = contentHeaders.map((h) => `${h.name}: ${h.value}`);
  return `${lines.join('\r\n')}\r\n\r\n${inner.join('\r\n')}\r\n\r\n${body}`;
}
