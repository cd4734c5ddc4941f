// A what-if proposal and the CLI's arguments: bad input is refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkProposal } from './proposal';
import { parseArgs } from './cli';

test('WHAT-IF: a proposal changes only the policy fields it names, validated as the Policy page validates them', () => {
  const r = checkProposal({ policy: { imdnCacheTtlSec: 60 }, prefs: { 'sip:alice@example.com': { allowDefer: true } } });
  assert.deepEqual(r, { ok: true, proposal: { policy: { imdnCacheTtlSec: 60 }, prefs: { 'sip:alice@example.com': { allowDefer: true } } } });
});

test('WHAT-IF: a bad proposal is refused with every reason', () => {
  const r = checkProposal({ policy: { imdnCacheTtlSec: 'soon' }, prefs: { alice: { allowDefer: 'yes', colour: true } } });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(r.errors.some((e) => e.startsWith('policy imdnCacheTtlSec')), r.errors.join('; '));
  assert.ok(r.errors.some((e) => /"alice" is not a user's SIP address/.test(e)));
  assert.ok(r.errors.some((e) => /allowDefer: must be true or false/.test(e)));
  assert.ok(r.errors.some((e) => /colour: not one of/.test(e)));
});

test('WHAT-IF CLI: the window defaults to the last hour; bad dates and arguments are named', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  assert.deepEqual(parseArgs([], now), { from: new Date('2026-12-04T11:00:00Z'), to: now, prefs: {}, json: false });
  assert.throws(() => parseArgs(['--from', 'yesterday'], now), /--from must be a date/);
  assert.throws(() => parseArgs(['--from', '2026-12-04T12:00:00Z', '--to', '2026-12-04T11:00:00Z'], now), /--from must not be after --to/);
  assert.throws(() => parseArgs(['--prefs', 'x.json'], now), /--prefs must be user=file.json/);
  assert.throws(() => parseArgs(['--frob'], now), /unknown argument "--frob"/);
});
