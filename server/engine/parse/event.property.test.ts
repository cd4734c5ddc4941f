import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEvent } from './event';

test('DSP-4b: property — any Event value gives a typed value or a typed error, never a throw', () => {
  fc.assert(
    fc.property(fc.option(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z.;=" -]{0,40}$/), fc.string({ unit: 'binary' })), { nil: undefined }), (raw) => {
      const r = parseEvent(raw);
      if (r.ok) {
        assert.equal(r.value.eventType, r.value.eventType.toLowerCase());
        assert.equal([r.value.package, ...r.value.templates].join('.'), r.value.eventType);
      } else {
        assert.ok(['MISSING', 'BAD_EVENT_TYPE', 'UNTERMINATED_QUOTE'].includes(r.error.code));
      }
    }),
    { numRuns: 2000 },
  );
});

test('DSP-4b: property — deferred-messages in any case with any params is recognised', () => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.stringMatching(/^[a-z0-9]{0,8}$/), (mask, id) => {
      const t = [...'deferred-messages'].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c)).join('');
      const r = parseEvent(id ? `${t} ; id=${id}` : t);
      assert.ok(r.ok);
      assert.equal(r.value.eventType, 'deferred-messages');
      assert.equal(r.value.id, id || undefined);
    }),
    { numRuns: 300 },
  );
});
