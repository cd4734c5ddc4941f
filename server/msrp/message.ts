// The MSRP message model (RFC 4975 §7, §9): requests (SEND, REPORT, any other method) and
// responses, with the headers the relay reads typed and every other header kept in order.
// Bodies are bytes (Buffer) and are never decoded. Pure: no I/O.

/** The end-line's continuation flag: '$' last chunk, '+' more follow, '#' message aborted. */
export type Continuation = '$' | '+' | '#';

/** Byte-Range: start-end/total; end and total may be '*' (unknown). start is 1-based. */
export interface ByteRange {
  start: number;
  end: number | '*';
  total: number | '*';
}

/** Status: 000 <code> [reason] (RFC 4975 §9: the namespace is always 000 today). */
export interface MsrpStatus {
  namespace: string;
  code: number;
  reason?: string;
}

export type FailureReport = 'yes' | 'no' | 'partial';
export type SuccessReport = 'yes' | 'no';

/** Header fields common to requests and responses. Paths are lists of URI texts. */
interface Common {
  tid: string;
  toPath: string[];
  fromPath: string[];
  /** Headers the model does not type, in order, as [name, value]. */
  headers: Array<[string, string]>;
}

export interface MsrpRequest extends Common {
  kind: 'request';
  /** SEND, REPORT, or another method token (case-sensitive) */
  method: string;
  messageId?: string;
  byteRange?: ByteRange;
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  status?: MsrpStatus;
  contentType?: string;
  /** undefined: no content-stuff at all (a bodiless request); a Buffer (maybe empty) otherwise */
  body?: Buffer;
  continuation: Continuation;
}

export interface MsrpResponse extends Common {
  kind: 'response';
  code: number;
  comment?: string;
}

export type MsrpMessage = MsrpRequest | MsrpResponse;

/** Response codes of RFC 4975 §10 (and the comments this PF writes). */
export const MSRP_REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Message Too Large',
  415: 'Unsupported Media Type',
  423: 'Out of Bounds',
  481: 'Session Does Not Exist',
  501: 'Unknown Method',
  506: 'Session Already Bound',
};

/** transact-id = ident = ALPHANUM 3*31ident-char (4..32 characters). */
export const TID_RE = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
/** Message-ID = ident as well. */
export const IDENT_RE = TID_RE;
/** method = 1*UPALPHA */
export const METHOD_RE = /^[A-Z]+$/;

export function formatByteRange(r: ByteRange): string {
  return `${r.start}-${r.end}/${r.total}`;
}

export function parseByteRange(v: string): ByteRange | undefined {
  const m = /^(\d{1,15})-(\d{1,15}|\*)\/(\d{1,15}|\*)$/.exec(v.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '*' ? '*' : Number(m[2]);
  const total = m[3] === '*' ? '*' : Number(m[3]);
  if (start < 1) return undefined;
  if (end !== '*' && end < start - 1) return undefined;
  if (total !== '*' && end !== '*' && end > total) return undefined;
  return { start, end, total };
}

export function formatStatus(s: MsrpStatus): string {
  return `${s.namespace} ${String(s.code).padStart(3, '0')}${s.reason !== undefined ? ` ${s.reason}` : ''}`;
}

export function parseStatus(v: string): MsrpStatus | undefined {
  const m = /^(\d{3}) (\d{3})(?: (.*))?$/.exec(v.trim());
  if (!m) return undefined;
  const s: MsrpStatus = { namespace: m[1], code: Number(m[2]) };
  if (m[3] !== undefined) s.reason = m[3];
  return s;
}

/** A short one-line description, for logs and the console ladder. */
export function describe(m: MsrpMessage): string {
  if (m.kind === 'response') return `MSRP ${m.tid} ${m.code}${m.comment ? ` ${m.comment}` : ''}`;
  const parts = [`${m.method} ${m.tid}`];
  if (m.messageId) parts.push(`Message-ID ${m.messageId}`);
  if (m.byteRange) parts.push(`Byte-Range ${formatByteRange(m.byteRange)}`);
  if (m.status) parts.push(`Status ${formatStatus(m.status)}`);
  if (m.body) parts.push(`${m.body.length} bytes`);
  parts.push(m.continuation);
  return parts.join(' ');
}
