import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLICY_FIELDS } from './policy-fields';
import { validatePolicy } from '../engine/policy-validate';

test('POLICY: the console offers pf.mode b2bua only (DECISIONS D-144), and every choice it offers validates', () => {
  assert.deepEqual(POLICY_FIELDS.find((f) => f.path === 'pfMode')?.choices, ['b2bua']);
  for (const f of POLICY_FIELDS.filter((x) => x.kind === 'choice' && !x.path.includes('.'))) {
    for (const c of f.choices ?? []) assert.ok(validatePolicy({ [f.path]: c }).ok, `${f.path}=${c}`);
  }
});
