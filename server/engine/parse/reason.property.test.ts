import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseReason } from './reason';

const reasonish = fc.stringMatching(/^[A-Za-z0-9_.;=", \\\t-]{0,60}$/);

test('RSN-prop-1: any string (or list of strings) gives a typed value, never a throw', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), reasonish, fc.string({ unit: 'binary' })), { maxLength: 4 }), (lines) => {
      const r = parseReason(lines);
      assert.equal(typeof r.present, 'boolean');
      assert.equal(typeof r.sipPresent, 'boolean');
      assert.ok(Array.isArray(r.others));
      if (r.sipCause !== undefined) assert.ok(Number.isSafeInteger(r.sipCause) && r.sipCause >= 0);
      if (!r.sipPresent) assert.equal(r.sipCause, undefined);
      for (const o of r.others) {
        assert.notEqual(o.protocol, 'SIP');
        assert.equal(o.protocol, o.protocol.toUpperCase());
        if (o.cause !== undefined) assert.ok(Number.isSafeInteger(o.cause) && o.cause >= 0);
      }
      assert.equal(r.present, lines.some((l) => l.trim() !== ''));
    }),
    { numRuns: 2000 },
  );
});

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,10}$/).filter((t) => t.toUpperCase() !== 'SIP');
const textArb = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const lws = fc.constantFrom('', ' ', '  ', '\t');

test('RSN-prop-2: a well-formed SIP value round-trips cause and text (commas, quotes, case, LWS)', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: 999 }),
      textArb,
      lws,
      lws,
      fc.constantFrom('SIP', 'sip', 'Sip'),
      fc.constantFrom('cause', 'CAUSE', 'Cause'),
      fc.array(fc.tuple(token, fc.nat({ max: 127 })), { maxLength: 3 }),
      (cause, text, a, b, proto, causeName, others) => {
        const sipValue = `${proto}${a};${b}${causeName}${a}=${b}${cause};text=${quote(text)}`;
        const otherValues = others.map(([p, c]) => `${p};cause=${c}`);
        const r = parseReason([[...otherValues, sipValue].join(', ')]);
        assert.equal(r.present, true);
        assert.equal(r.sipPresent, true);
        assert.equal(r.sipCause, cause);
        assert.equal(r.text, text);
        assert.deepEqual(
          r.others,
          others.map(([p, c]) => ({ protocol: p.toUpperCase(), cause: c })),
        );
      },
    ),
    { numRuns: 1000 },
  );
});

test('RSN-prop-3: a cause that is not all digits is never a number', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\s*[0-9]+\s*$/.test(s) && !/[,;"]/.test(s)),
      (bad) => {
        const r = parseReason([`SIP;cause=${bad}`]);
        assert.equal(r.sipPresent, true);
        assert.equal(r.sipCause, undefined);
      },
    ),
    { numRuns: 1000 },
  );
});
