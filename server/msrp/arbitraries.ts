// fast-check generators of MSRP messages, shared by the codec, reassembly and relay tests.
import fc from 'fast-check';
import type { MsrpMessage, MsrpRequest, MsrpResponse } from './message';

const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const identChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+%='.split(''));

export const arbIdent = fc.tuple(alnum, fc.array(identChar, { minLength: 3, maxLength: 31 }))
  .map(([a, rest]) => a + rest.join(''));

export const arbUri = fc.tuple(
  fc.boolean(),
  fc.constantFrom('127.0.0.1', 'pf.example.com', '[::1]', 'Client-A.example.net'),
  fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
).map(([s, h, p, sid]) => `${s ? 'msrps' : 'msrp'}://${h}${p !== undefined ? `:${p}` : ''}/${sid};tcp`);

export const arbPath = fc.array(arbUri, { minLength: 1, maxLength: 3 });

const headerText = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const otherHeader = fc.tuple(
  fc.constantFrom('Content-ID', 'Content-Description', 'X-Custom', 'Use-Nickname', 'Expires'),
  headerText,
).map(([n, v]) => [n, v] as [string, string]);

export const arbBody = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
  // bodies made of the framing's own pieces
  fc.array(fc.constantFrom('\r\n', '-------', '$', '+', '#', 'MSRP ', 'abcd'), { maxLength: 30 }).map((p) => Buffer.from(p.join(''), 'latin1')),
);

export const arbByteRange = fc.tuple(fc.integer({ min: 1, max: 100000 }), fc.nat(5000), fc.boolean(), fc.boolean())
  .map(([start, n, endStar, totStar]) => ({
    start,
    end: endStar ? '*' as const : start + n - 1,
    total: totStar ? '*' as const : start + n - 1 + 17,
  }));

export const arbRequest: fc.Arbitrary<MsrpRequest> = fc.record({
  tid: arbIdent,
  method: fc.constantFrom('SEND', 'REPORT', 'NICKNAME', 'AUTH'),
  toPath: arbPath,
  fromPath: arbPath,
  messageId: arbIdent,
  byteRange: fc.option(arbByteRange, { nil: undefined }),
  successReport: fc.option(fc.constantFrom('yes' as const, 'no' as const), { nil: undefined }),
  failureReport: fc.option(fc.constantFrom('yes' as const, 'no' as const, 'partial' as const), { nil: undefined }),
  status: fc.option(fc.record({ namespace: fc.constant('000'), code: fc.constantFrom(200, 400, 413, 481), reason: fc.option(headerText, { nil: undefined }) }), { nil: undefined }),
  headers: fc.array(otherHeader, { maxLength: 3 }),
  body: fc.option(arbBody, { nil: undefined }),
  contentType: fc.constantFrom('text/plain', 'message/cpim', 'application/octet-stream', 'text/plain;charset=UTF-8'),
  continuation: fc.constantFrom('$' as const, '+' as const, '#' as const),
}).map((r) => {
  const m: MsrpRequest = { kind: 'request', tid: r.tid, method: r.method, toPath: r.toPath, fromPath: r.fromPath, headers: r.headers, continuation: r.continuation, messageId: r.messageId };
  if (r.byteRange) m.byteRange = r.byteRange;
  if (r.successReport) m.successReport = r.successReport;
  if (r.failureReport) m.failureReport = r.failureReport;
  const status = r.status ? { namespace: r.status.namespace, code: r.status.code, reason: r.status.reason } : undefined;
  if (r.method === 'REPORT') m.status = status ?? { namespace: '000', code: 200 };
  else if (status) m.status = status;
  if (r.body !== undefined) { m.body = r.body; m.contentType = r.contentType; }
  if (m.status && m.status.reason === undefined) delete m.status.reason;
  return m;
}).filter((m) => !m.body || !m.body.includes(`-------${m.tid}`, 0, 'latin1'));

export const arbResponse: fc.Arbitrary<MsrpResponse> = fc.record({
  tid: arbIdent,
  code: fc.constantFrom(200, 400, 403, 408, 413, 415, 423, 481, 501, 506),
  comment: fc.option(headerText, { nil: undefined }),
  toPath: arbPath,
  fromPath: arbPath,
  headers: fc.array(otherHeader, { maxLength: 2 }),
}).map((r) => {
  const m: MsrpResponse = { kind: 'response', tid: r.tid, code: r.code, toPath: r.toPath, fromPath: r.fromPath, headers: r.headers };
  if (r.comment !== undefined) m.comment = r.comment;
  return m;
});

export const arbMessage: fc.Arbitrary<MsrpMessage> = fc.oneof(arbRequest, arbResponse);

/** Splits `b` at the given cut points (taken modulo its length). */
export function splitAt(b: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (b.length ? c % (b.length + 1) : 0)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) { out.push(b.subarray(prev, p)); prev = p; }
  out.push(b.subarray(prev));
  return out;
}
