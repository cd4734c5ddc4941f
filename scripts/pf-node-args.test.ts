// D-330: the PF's node arguments, and that this node takes them (a flag V8 no longer knows would
// stop `npm start` with "bad option"); D-343: its environment, and that every launcher gives both.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEAP_MB } from './heap-limit.mjs';
import { readFileSync, readdirSync } from 'node:fs';
import { GC_ARGS, MALLOC_ARENAS, pfEnv, pfNodeArgs } from './pf-node-args.mjs';

test('D-327, D-330: the PF runs with the heap limit and allocation-site pretenuring off', () => {
  assert.deepEqual(pfNodeArgs({}), [`--max-old-space-size=${DEFAULT_HEAP_MB}`, '--no-allocation-site-pretenuring']);
  assert.deepEqual(pfNodeArgs({ PF_HEAP_MB: '2048' })[0], '--max-old-space-size=2048');
  assert.throws(() => pfNodeArgs({ PF_HEAP_MB: 'lots' }), /PF_HEAP_MB/);
});

test('D-330: this node accepts every flag the PF is started with, and V8 lists each', () => {
  const r = spawnSync(process.execPath, [...pfNodeArgs({}), '-e', "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  // V8's limit is the old generation's (the flag) plus the young generation's
  const mib = Number(r.stdout) / 2 ** 20;
  assert.ok(mib >= DEFAULT_HEAP_MB && mib < DEFAULT_HEAP_MB + 128, `heap limit ${mib} MiB`);
  // the V8 flag as V8 spells it back (node --v8-options lists it): a renamed flag fails here too
  const listed = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  for (const flag of GC_ARGS) assert.ok(listed.includes(flag.replace(/^--no-/, '--')), `${flag} is not among node --v8-options`);
});

test('D-343: the PF runs with 2 malloc arenas unless the operator sets MALLOC_ARENA_MAX', () => {
  assert.deepEqual(pfEnv({}), { MALLOC_ARENA_MAX: MALLOC_ARENAS });
  assert.equal(MALLOC_ARENAS, '2');
  assert.deepEqual(pfEnv({ MALLOC_ARENA_MAX: ' ' }), { MALLOC_ARENA_MAX: MALLOC_ARENAS });
  // the operator's value stays: pfEnv adds nothing, and the launcher passes the environment on
  assert.deepEqual(pfEnv({ MALLOC_ARENA_MAX: '8' }), {});
});

test('D-343: every launcher of a PF process that takes its node arguments also takes its environment', () => {
  const files = [
    ...readdirSync('scripts').filter((f) => f.endsWith('.mjs')).map((f) => `scripts/${f}`),
    ...readdirSync('bench').filter((f) => f.endsWith('.ts')).map((f) => `bench/${f}`),
  ];
  const launchers = files.filter((f) => f !== 'scripts/pf-node-args.mjs' && /\bpfNodeArgs\(/.test(readFileSync(f, 'utf8')));
  assert.ok(launchers.length >= 4, `launchers found: ${launchers.join(', ')}`);
  for (const f of launchers) assert.match(readFileSync(f, 'utf8'), /\bpfEnv\(/, `${f} starts a PF process with pfNodeArgs but without pfEnv`);
});
