// D-335: the process's background threads are lowered at start, the main thread and the threads
// started afterwards are not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { lowerBackgroundThreads, type ThreadTable } from './background-threads';

// errors shaped as node's os calls throw them (ERR_SYSTEM_ERROR, the errno in info.code)
const systemError = (code: string) => Object.assign(new Error(code), { code: 'ERR_SYSTEM_ERROR', info: { code } });

function fakeTable(tids: number[], opts: { gone?: number[]; refuse?: number[]; start?: Record<number, number> } = {}): ThreadTable & { set: Map<number, number> } {
  const set = new Map<number, number>();
  return {
    set,
    list: () => [...tids],
    nice(tid) {
      if (opts.gone?.includes(tid)) throw systemError('ESRCH');
      return set.get(tid) ?? opts.start?.[tid] ?? 0;
    },
    setNice(tid, n) {
      if (opts.refuse?.includes(tid)) throw systemError('EPERM');
      set.set(tid, n);
    },
  };
}

test('D-335: every thread but the main one gets the nice value; one that ended meanwhile is passed over', () => {
  const t = fakeTable([100, 101, 102, 103, 104], { gone: [103] });
  const r = lowerBackgroundThreads(10, { mainTid: 100, threads: t });
  assert.deepEqual(r, { lowered: [101, 102, 104], refused: [] });
  assert.deepEqual([...t.set], [[101, 10], [102, 10], [104, 10]]);
  assert.equal(t.set.has(100), false);
});

test('D-335: a thread already lower is left there, and one the system refuses is reported while the others are lowered', () => {
  const t = fakeTable([100, 101, 102, 103], { start: { 101: 15 }, refuse: [102] });
  const r = lowerBackgroundThreads(10, { mainTid: 100, threads: t });
  assert.deepEqual(r, { lowered: [101, 103], refused: [{ tid: 102, why: 'EPERM' }] });
  assert.deepEqual([...t.set], [[103, 10]]);
});

test('D-335: 0 changes nothing, and neither does a platform without per-thread priorities', () => {
  const t = fakeTable([100, 101]);
  assert.deepEqual(lowerBackgroundThreads(0, { mainTid: 100, threads: t }), { lowered: [], refused: [], skipped: 'PF_BACKGROUND_NICE=0' });
  assert.equal(t.set.size, 0);
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
const mainBefore = nice(process.pid);
const { lowered } = lowerBackgroundThreads(10);
const w = new Worker('setTimeout(() => {}, 2000)', { eval: true });
await new Promise((r) => w.once('online', r));
const after = readdirSync('/proc/self/task').map(Number);
const started = after.filter((t) => !before.includes(t));
console.log(JSON.stringify({ mainBefore, main: nice(process.pid), lowered: lowered.map(nice), before: before.length, loweredCount: lowered.length, started: started.map(nice) }));
await w.terminate();
`;

test('D-335 on Linux: the threads present at the call get nice 10 (or stay lower), the main thread keeps its own, a worker started afterwards gets the main thread\'s', { skip: process.platform !== 'linux' && 'per-thread priorities are set on Linux only' }, () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', cwd: process.cwd() });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { mainBefore: number; main: number; lowered: number[]; before: number; loweredCount: number; started: number[] };
  assert.equal(r.main, r.mainBefore);
  // Node's own threads (V8's platform pool at least) were there before any of our code ran
  assert.ok(r.loweredCount >= 4, `lowered ${r.loweredCount} of ${r.before} threads`);
  assert.equal(r.loweredCount, r.before - 1);
  assert.ok(r.lowered.every((n) => n >= 10), `nice values of the lowered threads: ${r.lowered}`);
  if (r.mainBefore < 10) assert.ok(r.lowered.every((n) => n > r.main), 'below the main thread');
  assert.ok(r.started.length >= 1, 'the worker added a thread');
  assert.ok(r.started.every((n) => n === r.main), `nice values of the threads started after the call: ${r.started} (main ${r.main})`);
});
