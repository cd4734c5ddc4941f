// A short fuzz run in npm test: a few thousand generated inputs per run, a fixed seed so a failure
// replays (`node --import tsx scripts/fuzz.ts 5000 --seed 20261123`), and the XML bombs refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../server/engine/parse/xml';
import { ENTITY_BOMB, EXTERNAL_ENTITY, runFuzz } from './fuzz';

test('fuzz: 5,000 mutated SIP, CPIM, IMDN and conference-info inputs are accepted or refused, never crash a parser', () => {
  const report = runFuzz(5000, 20261123);
  const crashes = report.perTarget.flatMap((f) => f.crashes.map((c) => `${f.name} #${c.index}: ${c.error.split('\n')[0]} ← ${JSON.stringify(c.input.slice(0, 200))}`));
  assert.deepEqual(crashes, []);
  for (const f of report.perTarget) {
    assert.equal(f.inputs, 1000);
    // the mutations must leave some inputs valid, or the run only exercises the first check
    assert.ok(f.accepted > 0 && f.refused > 0, `${f.name}: ${f.accepted} accepted, ${f.refused} refused`);
  }
});

test('fuzz: XML entity expansion (billion laughs) and external entities are refused, not expanded', () => {
  for (const doc of [ENTITY_BOMB, EXTERNAL_ENTITY]) {
    const r = parseXml(doc);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'DOCTYPE_REFUSED');
  }
  assert.equal(runFuzz(0).entityInputsRefused, true);
  // an undeclared entity reference is an error, not an empty string
  const undeclared = parseXml('<a>&xxe;</a>');
  assert.equal(undeclared.ok, false);
});
