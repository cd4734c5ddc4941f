import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const engine = resolve(here, '..');

test('ENGINE-PURE-bye: bye/** and parse/reason.ts import nothing outside server/engine (sans-IO)', () => {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(here, f))
    .concat(join(engine, 'parse', 'reason.ts'));
  assert.ok(files.length > 10);
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      assert.ok(spec.startsWith('.'), `${file} imports package ${spec}`);
      const target = resolve(dirname(file), spec);
      assert.ok(target.startsWith(engine + '/'), `${file} imports ${spec}, outside server/engine`);
    }
    assert.doesNotMatch(src, /\bDate\.now\(|Math\.random\(|setTimeout\(|setInterval\(/, `${file} reads the clock, randomness or timers`);
  }
});
