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

// One malformed ac-value must not hide the well-formed ones beside it (RFC 3841 matches each
// ac-value on its own): whatever garbage sits before, between or after them, on the same line or
// another, the CPM ICSIs of the good values are found, and the bad ones are reported.
test('AC-1, AC-3: property — malformed ac-values mixed with good ones never hide the good ones’ ICSIs', () => {
  const bad = fc.oneof(
    fc.constant('sip:bob@x;+g.foo'),
    fc.constant('<sip:c@h>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.largemsg"'),
    fc.stringMatching(/^[A-Za-z0-9.:@]{1,20}$/),
  );
  const good = fc.uniqueArray(fc.constantFrom(...services), { minLength: 1, maxLength: 3 }).map((svcs) => ({ svcs, text: `*;+g.3gpp.icsi-ref="${svcs.map((s) => encode(CPM_ICSI[s], false)).join(',')}";explicit` }));
  const item = fc.oneof(good.map((g) => ({ good: g })), bad.map((b) => ({ bad: b })));
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), (items, perLine, trailingOpenQuote) => {
      const texts = items.map((i) => ('good' in i ? i.good.text : i.bad));
      const lines: string[] = [];
      for (let i = 0; i < texts.length; i += perLine) lines.push(texts.slice(i, i + perLine).join(', '));
      if (trailingOpenQuote) lines[lines.length - 1] += ', *;+g.3gpp.iari-ref="unterminated';
      const want = [...new Set(items.flatMap((i) => ('good' in i ? i.good.svcs : [])))];
      const badCount = items.filter((i) => 'bad' in i).length + (trailingOpenQuote ? 1 : 0);
      const r = parseAcceptContact(lines);
      if (want.length === 0) {
        assert.equal(r.ok, false);
        return;
      }
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual([...r.value.icsis].sort(), [...want].sort());
      assert.equal(r.value.malformed.length, badCount);
      assert.ok(r.value.malformed.every((e) => e.code === 'NOT_AC_VALUE' || e.code === 'UNTERMINATED_QUOTE'));
    }),
    { numRuns: 500 },
  );
});

test('AC-1, AC-4: property — a line parsed again (kept from before) reads as it did, even after 600 other lines, and cannot be changed by a caller', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(acish, fc.string()), { minLength: 1, maxLength: 600 }), (lines) => {
      // ['', line] takes the path that keeps nothing: an empty line adds no ac-value
      const fresh = lines.map((l) => parseAcceptContact([l, '']));
      for (let i = 0; i < lines.length; i++) assert.deepEqual(parseAcceptContact([lines[i]]), fresh[i]);
      for (let i = 0; i < lines.length; i++) assert.deepEqual(parseAcceptContact([lines[i]]), fresh[i]);
      const kept = parseAcceptContact([lines[0]]);
      if (kept.ok) assert.throws(() => (kept.value.additional as string[]).push('x'), TypeError);
    }),
    { numRuns: 40 },
  );
});
