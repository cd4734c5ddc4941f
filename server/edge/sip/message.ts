// SIP message model, lenient raw parser and serializer.
// Parsing is split in two: `parseSipMessage` only finds start line, headers and body (so that a
// malformed request can still be answered with a 400 that copies its Via/From/To/...), and
// `validateRequest`/`validateResponse` (in validate.ts) decide whether it is acceptable.

/** A header line: `key` is headerKey(name), kept with it so a lookup does not work it out per line. */
export interface SipHeader { name: string; value: string; key: string }

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to',
  b: 'referred-by', u: 'allow-events', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition', x: 'session-expires', y: 'identity', n: 'identity-info',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', via: 'Via', from: 'From', to: 'To', contact: 'Contact',
  'content-length': 'Content-Length', 'content-type': 'Content-Type', 'max-forwards': 'Max-Forwards',
  route: 'Route', 'record-route': 'Record-Route', 'www-authenticate': 'WWW-Authenticate',
  'proxy-authenticate': 'Proxy-Authenticate', 'proxy-authorization': 'Proxy-Authorization',
  authorization: 'Authorization', 'user-agent': 'User-Agent', 'rseq': 'RSeq', 'rack': 'RAck',
  'subscription-state': 'Subscription-State', event: 'Event', expires: 'Expires', require: 'Require',
  supported: 'Supported', allow: 'Allow', 'allow-events': 'Allow-Events', 'session-expires': 'Session-Expires',
  'min-se': 'Min-SE', 'content-encoding': 'Content-Encoding', 'content-disposition': 'Content-Disposition',
  subject: 'Subject', 'refer-to': 'Refer-To', 'referred-by': 'Referred-By', reason: 'Reason',
  'accept-contact': 'Accept-Contact', 'reject-contact': 'Reject-Contact', unsupported: 'Unsupported',
  'proxy-require': 'Proxy-Require', server: 'Server', accept: 'Accept', 'retry-after': 'Retry-After',
  'min-expires': 'Min-Expires', 'p-asserted-identity': 'P-Asserted-Identity',
};

// Headers whose value may legally be a comma separated list (RFC 3261 7.3.1); others
// (dates, auth challenges) contain commas that are not separators.
const MULTI = new Set([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events', 'content-encoding',
  'in-reply-to', 'path', 'service-route', 'p-asserted-identity', 'reason', 'accept-contact',
]);

// Header names repeat: every lookup compares each line's key, so keys are remembered. Names come
// from the network, so the memory is bounded; past it names are keyed afresh each time.
const KEYS = new Map<string, string>();
const MAX_KEYS = 1024;

export function headerKey(name: string): string {
  const known = KEYS.get(name);
  if (known !== undefined) return known;
  const k0 = name.trim().toLowerCase();
  const k = COMPACT[k0] ?? k0;
  if (KEYS.size < MAX_KEYS) KEYS.set(name, k);
  return k;
}

export function canonicalName(name: string): string {
  const k = headerKey(name);
  return CANONICAL[k] ?? name.trim();
}

/** A header name an application wrote, as the edge sends it: the canonical form, else each word capitalised. */
export function appHeaderName(name: string): string {
  const c = canonicalName(name);
  if (c !== name.trim()) return c;
  return name.trim().split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('-');
}

export function isMultiValued(name: string): boolean {
  return MULTI.has(headerKey(name));
}

/**
 * Splits on commas that are outside quotes and angle brackets (a backslash in quotes escapes the
 * next character); items trimmed, empty ones dropped. Each item is one slice of the value: the
 * edge calls this for every Via, Route and Contact line it reads, several times a message, and
 * building items a character at a time cost the edge thread 9 of its 71 KB of allocations per
 * MESSAGE under IMDN load (issue 17; the test keeps the character walk as the definition).
 */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) {
    const only = value.trim();
    return only ? [only] : [];
  }
  const out: string[] = [];
  let from = 0;
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) quoted = false;
    } else if (c === QUOTE) quoted = true;
    else if (c === LT) angle++;
    else if (c === GT && angle > 0) angle--;
    else if (c === COMMA && angle === 0) {
      const item = value.slice(from, i).trim();
      if (item) out.push(item);
      from = i + 1;
    }
  }
  const last = value.slice(from).trim();
  if (last) out.push(last);
  return out;
}
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const LT = 0x3c;
const GT = 0x3e;
const COMMA = 0x2c;

export class SipMessage {
  isRequest: boolean;
  method = '';
  uri = '';
  status = 0;
  reason = '';
  version = 'SIP/2.0';
  headers: SipHeader[] = [];
  body: Buffer = Buffer.alloc(0);

  constructor(isRequest: boolean) {
    this.isRequest = isRequest;
  }

  static request(method: string, uri: string): SipMessage {
    const m = new SipMessage(true);
    m.method = method;
    m.uri = uri;
    return m;
  }

  static response(status: number, reason: string): SipMessage {
    const m = new SipMessage(false);
    m.status = status;
    m.reason = reason;
    return m;
  }

  has(name: string): boolean {
    const k = headerKey(name);
    return this.headers.some((h) => h.key === k);
  }

  /** The first header line's value (unsplit). */
  get(name: string): string | undefined {
    const k = headerKey(name);
    return this.headers.find((h) => h.key === k)?.value;
  }

  /** Every value across header lines, comma lists split for multi-valued headers. */
  getAll(name: string): string[] {
    const k = headerKey(name);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== k) continue;
      if (MULTI.has(k)) out.push(...splitList(h.value));
      else out.push(h.value);
    }
    return out;
  }

  remove(name: string): void {
    const k = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== k);
  }

  set(name: string, value: string): void {
    const k = headerKey(name);
    const i = this.headers.findIndex((h) => h.key === k);
    const header = { name: canonicalName(name), value, key: k };
    if (i < 0) { this.headers.push(header); return; }
    this.headers[i] = header;
    this.headers = this.headers.filter((h, j) => j <= i || h.key !== k);
  }

  add(name: string, value: string): void {
    this.headers.push({ name: canonicalName(name), value, key: headerKey(name) });
  }

  prepend(name: string, value: string): void {
    const k = headerKey(name);
    const i = this.headers.findIndex((h) => h.key === k);
    const header = { name: canonicalName(name), value, key: k };
    if (i < 0) this.headers.unshift(header);
    else this.headers.splice(i, 0, header);
  }

  startLine(): string {
    return this.isRequest ? `${this.method} ${this.uri} ${this.version}` : `${this.version} ${this.status} ${this.reason}`;
  }

  /** Serializes with Content-Length recomputed in bytes (whatever the header said). */
  toBuffer(): Buffer {
    const lines = [this.startLine()];
    for (const h of this.headers) {
      if (h.key === 'content-length') continue;
      lines.push(`${h.name}: ${h.value}`);
    }
    lines.push(`Content-Length: ${this.body.length}`);
    const head = lines.join('\r\n') + '\r\n\r\n';
    // Not from Node's shared 8 KB pool: a transaction keeps these bytes for up to 32 s (Timer J),
    // and a pool slice would keep its whole slab alive that long (D-300).
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafeSlow(headBytes + this.body.length);
    out.write(head, 0, 'utf8');
    if (this.body.length) out.set(this.body, headBytes);
    return out;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }

  clone(): SipMessage {
    const m = new SipMessage(this.isRequest);
    Object.assign(m, { method: this.method, uri: this.uri, status: this.status, reason: this.reason, version: this.version });
    m.headers = this.headers.map((h) => ({ ...h }));
    m.body = this.body;
    return m;
  }
}

export class SipParseError extends Error {
  constructor(message: string, readonly partial?: SipMessage) {
    super(message);
    this.name = 'SipParseError';
  }
}

const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) +(\S+) +(SIP\/\d+\.\d+)$/;
const STATUS_LINE = /^(SIP\/\d+\.\d+) +(\d{3})(?: +(.*))?$/;

function findHeaderEnd(buf: Buffer, from = 0): { end: number; sep: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sep: 4 };
  return { end: lf, sep: 2 };
}

/**
 * Parses one complete message (a datagram, or one frame cut by the stream framer).
 * Throws SipParseError; `partial` carries whatever headers were understood so a 400 can be built.
 */
export function parseSipMessage(buf: Buffer, opts: { ignoreContentLength?: boolean } = {}): SipMessage {
  let start = 0;
  // RFC 3261 7.5: leading CRLFs before the start line are ignored.
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const he = findHeaderEnd(buf, start);
  const headEnd = he ? he.end : buf.length;
  const head = buf.toString('utf8', start, headEnd);
  const lines = head.split(/\r?\n/);
  const first = lines.shift() ?? '';
  let msg: SipMessage;
  let startErr: string | undefined;
  const rq = REQUEST_LINE.exec(first);
  const st = rq ? null : STATUS_LINE.exec(first);
  if (rq) {
    msg = SipMessage.request(rq[1], rq[2]);
    msg.version = rq[3];
    if (rq[3] !== 'SIP/2.0') startErr = 'unsupported SIP version';
  } else if (st) {
    msg = SipMessage.response(Number(st[2]), st[3] ?? '');
    msg.version = st[1];
    if (st[1] !== 'SIP/2.0') startErr = 'unsupported SIP version';
  } else {
    msg = new SipMessage(!first.startsWith('SIP/'));
    startErr = 'malformed start line';
  }
  let headerErr: string | undefined;
  for (const line of lines) {
    if (line.length === 0) continue;
    if ((line[0] === ' ' || line[0] === '\t') && msg.headers.length) {
      // Header folding (RFC 3261 7.3.1): continuation of the previous header line.
      msg.headers[msg.headers.length - 1].value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) { headerErr ??= `malformed header line`; continue; }
    const rawName = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(rawName)) { headerErr ??= 'malformed header name'; continue; }
    const k = headerKey(rawName);
    msg.headers.push({ name: CANONICAL[k] ?? (COMPACT[rawName.toLowerCase()] ? k : rawName), value: line.slice(colon + 1).trim(), key: k });
  }
  if (startErr) throw new SipParseError(startErr, msg);
  if (!he) throw new SipParseError('no end of headers', msg);
  const bodyStart = he.end + he.sep;
  // srf counts Content-Length in UTF-16 units, so frames from applications take the whole rest.
  const clRaw = opts.ignoreContentLength ? undefined : msg.get('content-length');
  let bodyEnd = buf.length;
  if (clRaw !== undefined) {
    if (!/^\d{1,9}$/.test(clRaw)) throw new SipParseError('bad Content-Length', msg);
    // two values that differ leave the body's end ambiguous (request smuggling on a stream)
    if (msg.getAll('content-length').some((v) => v.trim() !== clRaw && Number(v.trim()) !== Number(clRaw))) throw new SipParseError('conflicting Content-Length', msg);
    const cl = Number(clRaw);
    if (bodyStart + cl > buf.length) throw new SipParseError('body shorter than Content-Length', msg);
    bodyEnd = bodyStart + cl;
  }
  msg.body = Buffer.from(buf.subarray(bodyStart, bodyEnd));
  if (opts.ignoreContentLength) msg.remove('content-length');
  if (headerErr) throw new SipParseError(headerErr, msg);
  return msg;
}
