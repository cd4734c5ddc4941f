// The engine is sans-IO (ARCHITECTURE "Rules of the house"): its source files import only other
// files of server/engine, never node built-ins, drachtio-srf, Prisma, socket.io or another server
// folder, and never read the clock or start timers themselves (time is an input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ENGINE = path.resolve('server/engine');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !/\.test\.ts$|fixtures\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

const files = sources(ENGINE);

test('ENGINE-PURE: every engine source imports only server/engine files', () => {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const inside = spec.startsWith('.') && path.resolve(path.dirname(f), spec).startsWith(ENGINE + path.sep);
      if (!inside) bad.push(`${path.relative(ENGINE, f)} imports ${spec}`);
    }
  }
  assert.ok(files.length > 40, `only ${files.length} engine files found`);
  assert.deepEqual(bad, []);
});

test('ENGINE-PURE: no engine source reads the clock, draws randomness or starts a timer', () => {
  const bad: string[] = [];
  for (const f of files) {
    const code = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const re of [/\bDate\.now\(/, /\bnew Date\(\s*\)/, /\bMath\.random\(/, /\bset(Timeout|Interval|Immediate)\(/, /\bperformance\.now\(/, /\bprocess\./]) {
      if (re.test(code)) bad.push(`${path.relative(ENGINE, f)}: ${re.source}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('ENGINE-PURE: the check sees a forbidden import when there is one', () => {
  const sample = "import { readFileSync } from 'node:fs';\nimport x from '../../store/database';\n";
  const found = [...sample.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  assert.deepEqual(found, ['node:fs', '../../store/database']);
});
