import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAcceptContact } from './accept-contact';
import { CPM_ICSI, type CpmService } from './feature-tags';

const acish = fc.stringMatching(/^[*;=",+.%:A-Za-z0-9 \\-]{0,80}$/);

test('AC-1: property — any header lines give a typed value or a typed error, never a throw', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), acish, fc.string({ unit: 'binary' })), { maxLength: 4 }), (lines) => {
      const r = parseAcceptContact(lines);
      if (r.ok) {
        assert.ok(r.value.icsis.every((s) => s in CPM_ICSI));
        assert.equal(new Set(r.value.icsis).size, r.value.icsis.length);
        assert.equal(new Set(r.value.additional).size, r.value.additional.length);
        assert.ok(!r.value.additional.some((a) => a === 'require' || a === 'explicit'));
      } else {
        assert.ok(['UNTERMINATED_QUOTE', 'NOT_AC_VALUE'].includes(r.error.code));
        assert.equal(typeof r.error.message, 'string');
      }
    }),
    { numRuns: 1000 },
  );
});

const services = Object.keys(CPM_ICSI) as CpmService[];
const encode = (s: string, lowerHex: boolean) => s.replace(/:/g, lowerHex ? '%3a' : '%3A');

test('AC-3: property — any set of CPM ICSIs, encoded or not, in any case, is found exactly', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.constantFrom(...services), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom('', ';require', ';require;explicit', ';explicit'),
      (svcs, enc, lowerHex, upper, flags) => {
        const values = svcs.map((s) => {
          const v = enc ? encode(CPM_ICSI[s], lowerHex) : CPM_ICSI[s];
          return upper ? v.toUpperCase() : v;
        });
        const r = parseAcceptContact([`*;+g.3gpp.icsi-ref="${values.join(',')}"${flags}`]);
        assert.ok(r.ok);
        assert.deepEqual(r.value.icsis, svcs);
        assert.deepEqual(r.value.additional, []);
      },
    ),
    { numRuns: 500 },
  );
});
