import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The engine is sans-IO: the IMDN, PREF and parser files owned here import only engine files.
const engine = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mine = [
  ...readdirSync(join(engine, 'imdn')).map((f) => join('imdn', f)),
  ...readdirSync(join(engine, 'prefs')).map((f) => join('prefs', f)),
  ...['xml', 'cpim', 'imdn', 'uri', 'multipart', 'content-type'].map((f) => join('parse', `${f}.ts`)),
  'policy-validate.ts',
].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

test('RX-0: engine purity — IMDN/PREF/parser sources import nothing outside server/engine and read no clock', () => {
  for (const f of mine) {
    const src = readFileSync(join(engine, f), 'utf8');
    for (const m of src.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      assert.ok(spec.startsWith('.'), `${f} imports ${spec}`);
      const target = resolve(engine, dirname(f), spec);
      assert.ok(target.startsWith(engine), `${f} reaches outside the engine: ${spec}`);
    }
    assert.doesNotMatch(src, /Date\.now\(|setTimeout\(|setInterval\(|Math\.random\(/, `${f} reads a clock or randomness`);
  }
});
