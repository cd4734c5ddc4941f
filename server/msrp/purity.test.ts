// The MSRP codec and relay core are sans-IO like the engine (ARCHITECTURE "Rules of the house"):
// every source of server/msrp but the socket shell (listener.ts) imports only server/msrp files,
// never node built-ins, and never reads the clock or starts a timer (time is an input).
// Randomness: only serializer.ts's newTid draws Math.random, as an injectable default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve('server/msrp');
const SHELL = new Set(['listener.ts']);
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'arbitraries.ts' && !SHELL.has(f));

test('MSRP-PURE: the codec and relay core import only server/msrp files', () => {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(path.join(DIR, f), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (!(spec.startsWith('./') && !spec.slice(2).includes('/'))) bad.push(`${f} imports ${spec}`);
    }
  }
  assert.ok(files.length >= 7, `only ${files.length} files`);
  assert.deepEqual(bad, []);
});

test('MSRP-PURE: no clock, no timers, randomness only as newTid default', () => {
  const bad: string[] = [];
  for (const f of files) {
    const code = readFileSync(path.join(DIR, f), 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const re of [/\bDate\.now\(/, /\bnew Date\(\s*\)/, /\bset(Timeout|Interval|Immediate)\(/, /\bperformance\.now\(/, /\bprocess\./]) {
      if (re.test(code)) bad.push(`${f}: ${re}`);
    }
    const randoms = code.match(/Math\.random/g)?.length ?? 0;
    if (randoms && !(f === 'serializer.ts' && randoms === 1)) bad.push(`${f}: Math.random`);
  }
  assert.deepEqual(bad, []);
});
