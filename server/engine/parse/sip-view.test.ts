import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { viewOfText } from './sip-view';
import type { SipMessageView } from '../message';

/** viewOfText as first written (regular-expression literals in the loop): the definition the current one must equal */
function viewOfTextAsWritten(raw: string): SipMessageView {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
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

test('viewOfText: repeated headers stay apart, folded lines are joined, names are lower case', () => {
  const v = viewOfText(['MESSAGE sip:b@x SIP/2.0', 'Reason: SIP;cause=200', 'reason: Q.850;cause=16', 'Subject: one', '\ttwo', 'CSeq: 1 MESSAGE', '', 'body\r\n\r\nmore'].join('\r\n'));
  assert.equal(v.method, 'MESSAGE');
  assert.equal(v.uri, 'sip:b@x');
  assert.deepEqual(v.headers.reason, ['SIP;cause=200', 'Q.850;cause=16']);
  assert.deepEqual(v.headers.subject, ['one two']);
  assert.equal(v.body, 'body\r\n\r\nmore');
  assert.equal(viewOfText('SIP/2.0 202 Accepted\r\nCSeq: 1 MESSAGE\r\n\r\n').status, 202);
});

test('viewOfText equals its first form on any message of folded, repeated and odd header lines, and on any text of SIP-like pieces', () => {
  const text = (chars: string) => fc.string({ unit: fc.constantFrom(...chars), maxLength: 8 });
  const startLine = fc.constantFrom('MESSAGE sip:b@x SIP/2.0', 'SIP/2.0 200 OK', 'bye sip:x SIP/2.0', 'SIP/2.0 20', ' MESSAGE sip:x SIP/2.0', '');
  const headerLine = fc.record({
    name: fc.constantFrom('Via', 'reason', ' To ', 'X-A', '', 'a b'),
    value: text('ab ;=,\t:'),
    // continuation lines: each starts with a space or a tab (RFC 3261 §7.3.1)
    folds: fc.array(fc.tuple(fc.constantFrom(' ', '\t', '  \t'), text('cd ;')), { maxLength: 3 }),
  }).map(({ name, value, folds }) => `${name}:${value}${folds.map(([ws, t]) => `\r\n${ws}${t}`).join('')}`);
  const message = fc.tuple(startLine, fc.array(headerLine, { maxLength: 8 }), text('xy\r\n ')).map(([start, lines, body]) => [start, ...lines, '', body].join('\r\n'));
  const piece = fc.constantFrom('\r\n', '\r\n\r\n', ' ', '\t', ':', 'a', 'Via', 'SIP/2.0', 'MESSAGE ', 'sip:x ', '200', '\r', '\n', 'é');
  const noise = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
  fc.assert(fc.property(fc.oneof(message, noise), (raw) => {
    assert.deepEqual(viewOfText(raw), viewOfTextAsWritten(raw));
  }), { numRuns: 3000 });
});
