// D-335: the process's background threads are lowered at start, the main thread and the threads
// started afterwards are not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { lowerBackgroundThreads, type ThreadTable } from './background-threads';

function fakeTable(tids: number[], gone: number[] = []): ThreadTable & { nice: Map<number, number> } {
  const nice = new Map<number, number>();
  return {
    nice,
    list: () => [...tids],
    setNice(tid, n) {
      if (gone.includes(tid)) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      nice.set(tid, n);
    },
  };
}

test('D-335: every thread but the main one gets the nice value; one that ended meanwhile is passed over', () => {
  const t = fakeTable([100, 101, 102, 103, 104], [103]);
  const r = lowerBackgroundThreads(10, { mainTid: 100, threads: t });
  assert.deepEqual(r.lowered, [101, 102, 104]);
  assert.deepEqual([...t.nice], [[101, 10], [102, 10], [104, 10]]);
  assert.equal(t.nice.has(100), false);
});

test('D-335: 0 changes nothing, and neither does a platform without per-thread priorities', () => {
  const t = fakeTable([100, 101]);
  assert.deepEqual(lowerBackgroundThreads(0, { mainTid: 100, threads: t }), { lowered: [], skipped: 'PF_BACKGROUND_NICE=0' });
  assert.equal(t.nice.size, 0);
  const r = lowerBackgroundThreads(10, { mainTid: 100, threads: null });
  assert.deepEqual(r.lowered, []);
  assert.match(r.skipped ?? '', /Linux only/);
});

// A child process, so the test runner's own threads keep their priority.
const CHILD = `
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { lowerBackgroundThreads } from './server/background-threads.ts';
const nice = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]); };
const before = readdirSync('/proc/self/task').map(Number);
const { lowered } = lowerBackgroundThreads(10);
const w = new Worker('setTimeout(() => {}, 2000)', { eval: true });
await new Promise((r) => w.once('online', r));
const after = readdirSync('/proc/self/task').map(Number);
const started = after.filter((t) => !before.includes(t));
console.log(JSON.stringify({ main: nice(process.pid), lowered: lowered.map(nice), before: before.length, loweredCount: lowered.length, started: started.map(nice) }));
await w.terminate();
`;

test('D-335 on Linux: the threads present at the call get nice 10, the main thread keeps 0, a worker started afterwards starts at 0', { skip: process.platform !== 'linux' && 'per-thread priorities are set on Linux only' }, () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', cwd: process.cwd() });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { main: number; lowered: number[]; before: number; loweredCount: number; started: number[] };
  assert.equal(r.main, 0);
  // Node's own threads (V8's platform pool at least) were there before any of our code ran
  assert.ok(r.loweredCount >= 4, `lowered ${r.loweredCount} of ${r.before} threads`);
  assert.equal(r.loweredCount, r.before - 1);
  assert.ok(r.lowered.every((n) => n === 10), `nice values of the lowered threads: ${r.lowered}`);
  assert.ok(r.started.length >= 1, 'the worker added a thread');
  assert.ok(r.started.every((n) => n === 0), `nice values of the threads started after the call: ${r.started}`);
});
