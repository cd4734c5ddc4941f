// A streaming MSRP framer and parser (RFC 4975 §7, §9), sans-IO: push the bytes of one connection
// as they arrive (split anywhere, several messages per read), get back parse events.
//
// Framing: a message is a start-line, header lines, then either its end-line `-------<tid><flag>`
// (no body) or a blank line, the body, CRLF and the end-line. The body is bytes and ends at the
// first CRLF `-------<tid>` followed by a flag and CRLF; it is never decoded.
//
// Limits: a start-line plus headers longer than maxHeaderBytes cannot be framed safely: `fatal`
// (close the connection). A body longer than maxBodyBytes gives `too-large` as soon as it is
// seen (answer 413) and is then discarded up to its end-line, the connection staying usable.
// A message that frames but whose headers do not parse gives `invalid` (answer 400).
import {
  type Continuation, type FailureReport, type MsrpMessage, type MsrpRequest, type MsrpResponse,
  type SuccessReport, METHOD_RE, TID_RE, IDENT_RE, parseByteRange, parseStatus,
} from './message';

export interface ParserLimits {
  /** bytes of start-line plus header lines (default 16 KiB) */
  maxHeaderBytes: number;
  /** bytes of one chunk's body (default 1 MiB) */
  maxBodyBytes: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = { maxHeaderBytes: 16_384, maxBodyBytes: 1_048_576 };

/** The parts of a request or response read before its body: enough to answer it. */
export interface MsrpHead {
  tid: string;
  /** the method of a request; undefined for a response */
  method?: string;
  code?: number;
  toPath?: string[];
  fromPath?: string[];
  messageId?: string;
  failureReport?: FailureReport;
}

export type ParseEvent =
  | { type: 'message'; message: MsrpMessage; bytes: number }
  /** framed, but a header is missing or malformed: a request gets 400 (if it can be addressed) */
  | { type: 'invalid'; head: MsrpHead; reason: string; bytes: number }
  /** a body beyond maxBodyBytes: answer 413 now; its bytes up to the end-line are skipped */
  | { type: 'too-large'; head: MsrpHead; request?: MsrpRequest }
  /** the stream cannot be framed any more: close the connection */
  | { type: 'fatal'; reason: string };

const CRLF = Buffer.from('\r\n');

type Phase =
  | { p: 'start' }
  | { p: 'headers'; tid: string; startLine: string; lines: string[]; at: number; msgStart: number }
  | { p: 'body'; tid: string; startLine: string; lines: string[]; bodyStart: number; scanned: number; msgStart: number; needle: Buffer }
  | { p: 'discard'; tid: string; head: MsrpHead; needle: Buffer; scanned: number; msgStart: number; startLine: string; lines: string[] };

export class MsrpParser {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** bytes before pos are consumed */
  private pos = 0;
  private phase: Phase = { p: 'start' };
  private dead: string | undefined;
  readonly limits: ParserLimits;
  /** messages framed so far (valid or not) */
  framed = 0;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** Bytes held for an unfinished message. */
  get pending(): number { return this.len - this.pos; }
  /** true while inside a message (some of its bytes arrived, not its end-line) */
  get midMessage(): boolean { return this.phase.p !== 'start' || this.pending > 0; }

  push(chunk: Buffer): ParseEvent[] {
    if (this.dead) return chunk.length ? [{ type: 'fatal', reason: this.dead }] : [];
    this.append(chunk);
    const out: ParseEvent[] = [];
    try {
      this.run(out);
    } catch (e) {
      // a bug must not take the process down: the connection is given up
      this.fail(out, `parser error: ${(e as Error).message}`);
    }
    this.compact();
    return out;
  }

  private fail(out: ParseEvent[], reason: string): void {
    this.dead = reason;
    out.push({ type: 'fatal', reason });
    this.buf = Buffer.alloc(0);
    this.len = this.pos = 0;
  }

  private run(out: ParseEvent[]): void {
    for (;;) {
      const ph = this.phase;
      if (ph.p === 'start') {
        // stray CRLFs between messages are tolerated
        while (this.pos + 1 < this.len && this.buf[this.pos] === 0x0d && this.buf[this.pos + 1] === 0x0a) this.pos += 2;
        if (this.pos >= this.len) return;
        const eol = this.indexOf(CRLF, this.pos);
        if (eol < 0) {
          if (this.len - this.pos > this.limits.maxHeaderBytes) return this.fail(out, 'start-line too long');
          // a start-line must begin with "MSRP ": say so early rather than buffer garbage
          const seen = this.buf.toString('latin1', this.pos, Math.min(this.len, this.pos + 5));
          if (!'MSRP '.startsWith(seen)) return this.fail(out, 'not an MSRP start-line');
          return;
        }
        const line = this.buf.toString('latin1', this.pos, eol);
        const m = /^MSRP ([^ ]+) ([^ ]+)(?: (.*))?$/.exec(line);
        if (!m || !TID_RE.test(m[1])) return this.fail(out, `bad start-line: ${JSON.stringify(line.slice(0, 80))}`);
        const isResp = /^\d{3}$/.test(m[2]);
        if (!isResp && (!METHOD_RE.test(m[2]) || m[3] !== undefined)) return this.fail(out, `bad start-line: ${JSON.stringify(line.slice(0, 80))}`);
        this.phase = { p: 'headers', tid: m[1], startLine: line, lines: [], at: eol + 2, msgStart: this.pos };
        continue;
      }
      if (ph.p === 'headers') {
        const eol = this.indexOf(CRLF, ph.at);
        if (eol < 0) {
          if (this.len - ph.msgStart > this.limits.maxHeaderBytes) return this.fail(out, 'headers too long');
          return;
        }
        if (eol + 2 - ph.msgStart > this.limits.maxHeaderBytes) return this.fail(out, 'headers too long');
        const line = this.buf.toString('latin1', ph.at, eol);
        const end = endLineFlag(line, ph.tid);
        if (end) {
          // no body
          this.emit(out, ph.tid, ph.startLine, ph.lines, undefined, end, eol + 2 - ph.msgStart);
          this.pos = eol + 2;
          this.phase = { p: 'start' };
          continue;
        }
        if (line === '') {
          const bodyStart = eol + 2;
          this.phase = {
            p: 'body', tid: ph.tid, startLine: ph.startLine, lines: ph.lines, bodyStart, scanned: bodyStart,
            msgStart: ph.msgStart, needle: Buffer.from(`\r\n-------${ph.tid}`, 'latin1'),
          };
          continue;
        }
        ph.lines.push(line);
        ph.at = eol + 2;
        continue;
      }
      if (ph.p === 'body') {
        // lenient: a blank line directly followed by the end-line is an empty body
        if (ph.scanned === ph.bodyStart) {
          const bare = ph.needle.subarray(2);
          if (this.len - ph.bodyStart < bare.length + 3 && bare.subarray(0, this.len - ph.bodyStart).equals(this.buf.subarray(ph.bodyStart, this.len))) return;
          if (this.buf.subarray(ph.bodyStart, ph.bodyStart + bare.length).equals(bare)) {
            const flag = this.flagAt(ph.bodyStart + bare.length);
            if (flag === undefined) return;
            if (flag) {
              const stop = ph.bodyStart + bare.length + 3;
              this.emit(out, ph.tid, ph.startLine, ph.lines, Buffer.alloc(0), flag, stop - ph.msgStart);
              this.pos = stop;
              this.phase = { p: 'start' };
              continue;
            }
          }
        }
        const found = this.findEnd(ph.needle, ph.scanned);
        if (found.at < 0) {
          ph.scanned = found.resume;
          if (this.len - ph.bodyStart > this.limits.maxBodyBytes + ph.needle.length + 3) {
            const parsed = buildMessage(ph.tid, ph.startLine, ph.lines, undefined, '#');
            const head = parsed.ok ? headOf(parsed.message) : parsed.head;
            if (parsed.ok) out.push(tooLarge(parsed.message));
            this.phase = { p: 'discard', tid: ph.tid, head, needle: ph.needle, scanned: found.resume, msgStart: ph.msgStart, startLine: ph.startLine, lines: ph.lines };
            this.pos = Math.max(this.pos, found.resume);
          }
          return;
        }
        const body = Buffer.from(this.buf.subarray(ph.bodyStart, found.at));
        const stop = found.at + ph.needle.length + 3;
        if (body.length > this.limits.maxBodyBytes) {
          const parsed = buildMessage(ph.tid, ph.startLine, ph.lines, undefined, found.flag);
          if (parsed.ok) out.push(tooLarge(parsed.message));
          else out.push({ type: 'invalid', head: parsed.head, reason: parsed.reason, bytes: stop - ph.msgStart });
          this.framed++;
        } else {
          this.emit(out, ph.tid, ph.startLine, ph.lines, body, found.flag, stop - ph.msgStart);
        }
        this.pos = stop;
        this.phase = { p: 'start' };
        continue;
      }
      // discard
      const found = this.findEnd(ph.needle, ph.scanned);
      if (found.at < 0) {
        ph.scanned = found.resume;
        this.pos = Math.max(this.pos, found.resume);
        return;
      }
      const parsed = buildMessage(ph.tid, ph.startLine, ph.lines, undefined, found.flag);
      if (!parsed.ok) out.push({ type: 'invalid', head: parsed.head, reason: parsed.reason, bytes: 0 });
      this.framed++;
      this.pos = found.at + ph.needle.length + 3;
      this.phase = { p: 'start' };
    }
  }

  /** The flag at i if followed by CRLF; null if not an end-line; undefined if bytes are missing. */
  private flagAt(i: number): Continuation | null | undefined {
    if (i + 3 > this.len) return undefined;
    const f = String.fromCharCode(this.buf[i]);
    if ((f === '$' || f === '+' || f === '#') && this.buf[i + 1] === 0x0d && this.buf[i + 2] === 0x0a) return f;
    return null;
  }

  /** Searches CRLF-------tid<flag>CRLF from `from`; resume is where a later search may start. */
  private findEnd(needle: Buffer, from: number): { at: number; flag: Continuation; resume: number } {
    let i = from;
    for (;;) {
      const at = this.indexOf(needle, i);
      if (at < 0) return { at: -1, flag: '$', resume: Math.max(from, this.len - needle.length - 2) };
      const flag = this.flagAt(at + needle.length);
      if (flag === undefined) return { at: -1, flag: '$', resume: at };
      if (flag) return { at, flag, resume: at };
      i = at + 1;
    }
  }

  private emit(out: ParseEvent[], tid: string, startLine: string, lines: string[], body: Buffer | undefined, flag: Continuation, bytes: number): void {
    this.framed++;
    const r = buildMessage(tid, startLine, lines, body, flag);
    if (r.ok) out.push({ type: 'message', message: r.message, bytes });
    else out.push({ type: 'invalid', head: r.head, reason: r.reason, bytes });
  }

  private indexOf(needle: Buffer, from: number): number {
    const i = this.buf.subarray(0, this.len).indexOf(needle, from);
    return i;
  }

  private append(b: Buffer): void {
    if (!b.length) return;
    if (this.len + b.length > this.buf.length) {
      const keep = this.len - this.pos;
      const next = Buffer.allocUnsafe(Math.max(keep + b.length, Math.min(this.buf.length * 2, keep + b.length + (1 << 20)), 4096));
      this.buf.copy(next, 0, this.pos, this.len);
      this.shift(this.pos);
      this.buf = next;
      this.len = keep;
    }
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** Drops consumed bytes; a large store is not kept once the stream is idle. */
  private compact(): void {
    if (this.pos === 0) return;
    if (this.pos === this.len) {
      this.shift(this.pos);
      if (this.buf.length > 65536) this.buf = Buffer.alloc(0);
      this.len = 0;
      return;
    }
    if (this.pos > this.buf.length / 2) {
      const keep = this.len - this.pos;
      const next = Buffer.allocUnsafe(Math.max(keep, 4096));
      this.buf.copy(next, 0, this.pos, this.len);
      this.shift(this.pos);
      this.buf = next;
      this.len = keep;
    }
  }

  /** Re-bases the offsets held by the phase after `by` bytes were dropped from the front. */
  private shift(by: number): void {
    const ph = this.phase;
    if (ph.p === 'headers') { ph.at -= by; ph.msgStart -= by; }
    else if (ph.p === 'body') { ph.bodyStart -= by; ph.scanned -= by; ph.msgStart -= by; }
    else if (ph.p === 'discard') { ph.scanned -= by; ph.msgStart -= by; }
    this.pos -= by;
  }
}

/** The end-line flag if `line` is `-------<tid><flag>`. */
function endLineFlag(line: string, tid: string): Continuation | undefined {
  if (line.length !== tid.length + 8 || !line.startsWith('-------') || line.slice(7, 7 + tid.length) !== tid) return undefined;
  const f = line[line.length - 1];
  return f === '$' || f === '+' || f === '#' ? f : undefined;
}

type Built = { ok: true; message: MsrpMessage } | { ok: false; head: MsrpHead; reason: string };

function headOf(m: MsrpMessage): MsrpHead {
  return m.kind === 'request'
    ? { tid: m.tid, method: m.method, toPath: m.toPath, fromPath: m.fromPath, messageId: m.messageId, failureReport: m.failureReport }
    : { tid: m.tid, code: m.code, toPath: m.toPath, fromPath: m.fromPath };
}

const PATH_RE = /^msrps?:\/\/\S+$/i;

/** Builds the typed message from a framed start-line, header lines and body. */
/** The event for a message whose body is past the limit: its head, and the request to answer 413. */
function tooLarge(message: MsrpMessage): ParseEvent {
  return { type: 'too-large', head: headOf(message), request: message.kind === 'request' ? message : undefined };
}

export function buildMessage(tid: string, startLine: string, lines: string[], body: Buffer | undefined, flag: Continuation): Built {
  const m = /^MSRP [^ ]+ ([^ ]+)(?: (.*))?$/.exec(startLine)!;
  const isResp = /^\d{3}$/.test(m[1]);
  const head: MsrpHead = isResp ? { tid, code: Number(m[1]) } : { tid, method: m[1] };
  const bad = (reason: string): Built => ({ ok: false, head, reason });
  const headers: Array<[string, string]> = [];
  let toPath: string[] | undefined;
  let fromPath: string[] | undefined;
  const req: Partial<MsrpRequest> = {};
  const seen = new Set<string>();
  for (const line of lines) {
    const c = line.indexOf(':');
    if (c <= 0) return bad(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, c);
    if (!/^[A-Za-z0-9\-_.!%*+`'~]+$/.test(name)) return bad(`bad header name: ${JSON.stringify(name.slice(0, 40))}`);
    const value = line.slice(c + 1).trim();
    const key = name.toLowerCase();
    const typed = ['to-path', 'from-path', 'message-id', 'byte-range', 'success-report', 'failure-report', 'status', 'content-type'];
    if (typed.includes(key)) {
      if (seen.has(key)) return bad(`${name} repeated`);
      seen.add(key);
    }
    switch (key) {
      case 'to-path':
      case 'from-path': {
        const uris = value.split(/[ \t]+/).filter(Boolean);
        if (!uris.length || !uris.every((u) => PATH_RE.test(u))) return bad(`bad ${name}`);
        if (key === 'to-path') { toPath = uris; head.toPath = uris; } else { fromPath = uris; head.fromPath = uris; }
        break;
      }
      case 'message-id':
        if (!IDENT_RE.test(value)) return bad('bad Message-ID');
        req.messageId = value; head.messageId = value;
        break;
      case 'byte-range': {
        const r = parseByteRange(value);
        if (!r) return bad('bad Byte-Range');
        req.byteRange = r;
        break;
      }
      case 'success-report':
        if (value !== 'yes' && value !== 'no') return bad('bad Success-Report');
        req.successReport = value as SuccessReport;
        break;
      case 'failure-report':
        if (value !== 'yes' && value !== 'no' && value !== 'partial') return bad('bad Failure-Report');
        req.failureReport = value as FailureReport; head.failureReport = req.failureReport;
        break;
      case 'status': {
        const s = parseStatus(value);
        if (!s) return bad('bad Status');
        req.status = s;
        break;
      }
      case 'content-type':
        if (!/^[^\s/]+\/[^\s/;]+/.test(value)) return bad('bad Content-Type');
        req.contentType = value;
        break;
      default:
        headers.push([name, value]);
    }
  }
  if (!toPath) return bad('no To-Path');
  if (!fromPath) return bad('no From-Path');
  if (isResp) {
    const resp: MsrpResponse = { kind: 'response', tid, code: Number(m[1]), toPath, fromPath, headers };
    if (m[2] !== undefined) resp.comment = m[2];
    return { ok: true, message: resp };
  }
  const method = m[1];
  if (body !== undefined && body.length > 0 && req.contentType === undefined) return bad('a body without Content-Type');
  if (method === 'SEND' && req.messageId === undefined) return bad('SEND without Message-ID');
  if (method === 'REPORT' && (req.messageId === undefined || req.status === undefined)) return bad('REPORT without Message-ID or Status');
  const out: MsrpRequest = { kind: 'request', tid, method, toPath, fromPath, headers, continuation: flag };
  if (req.messageId !== undefined) out.messageId = req.messageId;
  if (req.byteRange !== undefined) out.byteRange = req.byteRange;
  if (req.successReport !== undefined) out.successReport = req.successReport;
  if (req.failureReport !== undefined) out.failureReport = req.failureReport;
  if (req.status !== undefined) out.status = req.status;
  if (req.contentType !== undefined) out.contentType = req.contentType;
  if (body !== undefined) out.body = body;
  return { ok: true, message: out };
}
