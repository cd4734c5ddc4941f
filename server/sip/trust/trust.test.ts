// Pure parts of the SIP trust layer: token buckets, Via parsing, merged-request memory, settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MergedRequests, viaSentBys } from './loop-detector';
import { fullGc } from '../../../e2e/support/gc';
import { RateLimiter } from './rate-limiter';
import { loadConfig } from '../../config';

test('SIP trust: a source gets its burst, then its rate; sources are independent; the table stays bounded', () => {
  let now = 0;
  const l = new RateLimiter({ rate: 10, burst: 3, maxSources: 100 }, () => now);
  assert.deepEqual([l.take('a'), l.take('a'), l.take('a')], [0, 0, 0]);
  assert.equal(l.take('a'), 1);
  assert.equal(l.take('b'), 0);
  now += 100;
  assert.equal(l.take('a'), 0);
  for (let i = 0; i < 1000; i++) l.take(`s${i}`);
  assert.ok(l.size <= 100);
  assert.equal(new RateLimiter({ rate: 0, burst: 1 }).take('x'), 0);
});

test('SIP trust: Via sent-by of every Via line and comma-separated value, compact form, default port', () => {
  const raw = 'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1, SIP/2.0/TCP Host.Example;branch=z9hG4bK2\r\nv: SIP/2.0/UDP [::1]:5062;branch=z\r\n\r\nVia: SIP/2.0/UDP body:1';
  assert.deepEqual(viaSentBys(raw), ['10.0.0.1:5070', 'host.example:5060', '[::1]:5062']);
});

/** viaSentBys as first written (every header line matched): the definition the current one must equal */
function viaSentBysAsWritten(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  const head = end >= 0 ? raw.slice(0, end) : raw;
  const out: string[] = [];
  for (const line of head.split(/\r\n(?![ \t])/)) {
    const m = /^(?:via|v)[ \t]*:(.*)$/is.exec(line);
    if (!m) continue;
    for (const value of m[1].split(',')) {
      const s = /SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+\s+(\[[^\]]+\]|[^\s;:]+)(?:\s*:\s*(\d+))?/i.exec(value);
      if (s) out.push(`${s[1].toLowerCase()}:${s[2] ?? '5060'}`);
    }
  }
  return out;
}

test('SIP trust: viaSentBys equals its first form on any head of Via-like, folded and other lines', () => {
  const name = fc.constantFrom('Via', 'via', 'V', 'v', 'VIA ', 'v\t', 'Vary', 'To', 'x-v', '');
  const sentBy = fc.constantFrom('SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1', 'SIP / 2.0 / tcp Host.Example', 'SIP/2.0/UDP [::1]:5062', 'sip/2.0/udp h : 7', 'junk');
  const line = fc.tuple(name, fc.array(sentBy, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '\r\n ;rport', '\r\n\tSIP/2.0/UDP f:1'))
    .map(([n, values, fold]) => `${n}:${values.join(', ')}${fold}`);
  const raw = fc.tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('', '\r\n\r\nVia: SIP/2.0/UDP body:1'))
    .map(([lines, body]) => ['MESSAGE sip:a@b SIP/2.0', ...lines].join('\r\n') + body);
  fc.assert(fc.property(raw, (r) => assert.deepEqual(viaSentBys(r), viaSentBysAsWritten(r))), { numRuns: 2000 });
});

test('SIP trust: merged requests are those with a known identity and another branch, for Timer F only', () => {
  let now = 0;
  const m = new MergedRequests(() => now, 10);
  assert.equal(m.check('k', 'b1'), false);
  assert.equal(m.check('k', 'b1'), false);
  assert.equal(m.check('k', 'b2'), true);
  now += 33_000;
  assert.equal(m.check('k', 'b2'), false);
  for (let i = 0; i < 50; i++) m.check(`k${i}`, 'b');
  assert.ok(m.size <= 11);
});

test('SIP trust (D-152, D-347): settings from the environment, bad values refused in words', () => {
  assert.deepEqual(loadConfig({}).sipTrust, { rate: 750, burst: 1500, maxMessageBytes: 65535 });
  assert.deepEqual(loadConfig({ PF_SIP_RATE: '0' }).sipTrust, { rate: 0, burst: 1, maxMessageBytes: 65535 });
  assert.throws(() => loadConfig({ PF_SIP_MAX_BYTES: '10' }), /PF_SIP_MAX_BYTES must be a whole number of at least 1024/);
});

test('merged requests, D-302: what is remembered for 32 s does not keep the requests\' text alive', () => {
  const m = new MergedRequests(() => 0);
  const pad = 'v'.repeat(4000);
  const n = 4000;
  fullGc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    // as srf hands them over: header values cut from the request's text
    const text = `${pad}|Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-${String(i).padStart(30, '0')}|Call-ID: call-${String(i).padStart(30, '0')}`;
    const branch = /branch=([^|]+)/.exec(text)![1];
    const callId = /Call-ID: ([^|]+)/.exec(text)![1];
    assert.equal(m.check(`${callId}|from-tag|1 MESSAGE`, branch), false);
  }
  fullGc();
  const grew = process.memoryUsage().heapUsed - before;
  assert.equal(m.size, n);
  // 4,000 entries of two short strings are about 1 MB; each request's text would be 16 MB more
  assert.ok(grew < 4 * 1024 * 1024, `${n} entries grew the heap by ${(grew / 1048576).toFixed(1)} MB`);
});
