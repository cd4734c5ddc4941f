// MSRP serializer (RFC 4975 §7.1, §9), sans-IO. Writes canonical header names in a fixed order:
// To-Path, From-Path, Message-ID, Success-Report, Failure-Report, Byte-Range, Status, the other
// headers in their order, Content-Type last (the grammar puts it before the body).
// A body must not contain its own end-line: serialize() refuses a tid found in the body, and
// newTid() picks one that is not.
import { type MsrpMessage, MSRP_REASONS, TID_RE, METHOD_RE, IDENT_RE, formatByteRange, formatStatus } from './message';

export class MsrpSerializeError extends Error {}

const SAFE_VALUE = /^[^\r\n]*$/;

/** true if `body` contains `-------<tid>` (so that tid cannot frame it). */
export function bodyContainsTid(body: Buffer | undefined, tid: string): boolean {
  return !!body && body.length >= tid.length + 7 && body.indexOf(`-------${tid}`, 0, 'latin1') >= 0;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A transaction id (12 alphanumerics by default) that does not occur in `body`.
 * `random` returns [0, 1) (injected, so tests are reproducible).
 */
export function newTid(body?: Buffer, random: () => number = Math.random, length = 12): string {
  for (;;) {
    let t = '';
    for (let i = 0; i < length; i++) t += ALNUM[Math.floor(random() * ALNUM.length) % ALNUM.length];
    if (!bodyContainsTid(body, t)) return t;
  }
}

function header(out: string[], name: string, value: string): void {
  if (!SAFE_VALUE.test(value)) throw new MsrpSerializeError(`${name} holds CR or LF`);
  out.push(`${name}: ${value}\r\n`);
}

/** The bytes of a message. Throws MsrpSerializeError on a message that cannot be written. */
export function serialize(m: MsrpMessage): Buffer {
  if (!TID_RE.test(m.tid)) throw new MsrpSerializeError(`bad transaction id ${JSON.stringify(m.tid)}`);
  if (!m.toPath.length || !m.fromPath.length) throw new MsrpSerializeError('empty To-Path or From-Path');
  const h: string[] = [];
  if (m.kind === 'request') {
    if (!METHOD_RE.test(m.method)) throw new MsrpSerializeError(`bad method ${JSON.stringify(m.method)}`);
    h.push(`MSRP ${m.tid} ${m.method}\r\n`);
  } else {
    if (!Number.isInteger(m.code) || m.code < 100 || m.code > 999) throw new MsrpSerializeError(`bad status code ${m.code}`);
    const comment = m.comment ?? undefined;
    if (comment !== undefined && !SAFE_VALUE.test(comment)) throw new MsrpSerializeError('comment holds CR or LF');
    h.push(`MSRP ${m.tid} ${m.code}${comment !== undefined ? ` ${comment}` : ''}\r\n`);
  }
  header(h, 'To-Path', m.toPath.join(' '));
  header(h, 'From-Path', m.fromPath.join(' '));
  let body: Buffer | undefined;
  if (m.kind === 'request') {
    if (m.messageId !== undefined) {
      if (!IDENT_RE.test(m.messageId)) throw new MsrpSerializeError('bad Message-ID');
      header(h, 'Message-ID', m.messageId);
    }
    if (m.successReport !== undefined) header(h, 'Success-Report', m.successReport);
    if (m.failureReport !== undefined) header(h, 'Failure-Report', m.failureReport);
    if (m.byteRange !== undefined) header(h, 'Byte-Range', formatByteRange(m.byteRange));
    if (m.status !== undefined) header(h, 'Status', formatStatus(m.status));
    body = m.body;
  }
  for (const [n, v] of m.headers) {
    if (!/^[A-Za-z0-9\-_.!%*+`'~]+$/.test(n)) throw new MsrpSerializeError(`bad header name ${JSON.stringify(n)}`);
    header(h, n, v);
  }
  if (m.kind === 'request' && m.contentType !== undefined) header(h, 'Content-Type', m.contentType);
  const flag = m.kind === 'request' ? m.continuation : '$';
  const end = `-------${m.tid}${flag}\r\n`;
  if (body === undefined) return Buffer.from(h.join('') + end, 'latin1');
  if (m.kind === 'request' && body.length && m.contentType === undefined) throw new MsrpSerializeError('a body needs a Content-Type');
  if (bodyContainsTid(body, m.tid)) throw new MsrpSerializeError(`the body contains its end-line (tid ${m.tid})`);
  return Buffer.concat([Buffer.from(h.join('') + '\r\n', 'latin1'), body, Buffer.from('\r\n' + end, 'latin1')]);
}

/** A response to `req` from the endpoint `self` (RFC 4975 §7.2: To-Path is the previous hop). */
export function responseTo(req: { tid: string; fromPath: string[] }, code: number, self: string, comment = MSRP_REASONS[code]): MsrpMessage {
  return { kind: 'response', tid: req.tid, code, comment, toPath: [req.fromPath[0]], fromPath: [self], headers: [] };
}
