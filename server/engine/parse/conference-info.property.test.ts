import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConferenceInfo } from './conference-info';
import { confDoc } from '../participants/conf-fixtures';

const xmlish = fc.stringMatching(/^[<>/="a-z :-]{0,120}$/);

test('PIN-N9: property — any body gives a typed value or a typed error, never a throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), xmlish, fc.string({ unit: 'binary' })), (body) => {
      const r = parseConferenceInfo(body);
      if (r.ok) {
        assert.ok(Number.isSafeInteger(r.value.version));
        assert.ok(['full', 'partial', 'deleted'].includes(r.value.state));
      } else {
        assert.equal(typeof r.error.code, 'string');
        assert.equal(typeof r.error.message, 'string');
      }
    }),
    { numRuns: 800 },
  );
});

const status = fc.constantFrom('connected', 'disconnected', 'on-hold', 'pending', 'alerting');
const method = fc.constantFrom(undefined, 'departed', 'booted', 'failed', 'busy');

test('PIN-N2: property — generated documents parse back to the users, versions and activity written', () => {
  fc.assert(
    fc.property(
      fc.nat(1_000_000),
      fc.constantFrom('full' as const, 'partial' as const),
      fc.option(fc.boolean(), { nil: undefined }),
      fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 5 }),
      fc.array(fc.tuple(status, method), { minLength: 5, maxLength: 5 }),
      (version, state, active, names, eps) => {
        const users = names.map((n, i) => ({ entity: `sip:${n}@x.example`, endpoints: [{ status: eps[i][0], method: eps[i][1] }] }));
        const r = parseConferenceInfo(confDoc({ version, state, active, users }));
        assert.ok(r.ok);
        assert.equal(r.value.version, version);
        assert.equal(r.value.state, state);
        assert.equal(r.value.active, active);
        assert.deepEqual(
          r.value.users?.map((u) => [u.entity, u.endpoints[0].status, u.endpoints[0].disconnectionMethod]),
          users.map((u) => [u.entity, u.endpoints[0].status, u.endpoints[0].method]),
        );
      },
    ),
    { numRuns: 300 },
  );
});
