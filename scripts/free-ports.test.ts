// The test ports (scripts/free-ports.mjs): from below the kernel's ephemeral range, never the
// same twice to processes asking at once, and a lock whose process is gone is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './free-ports.mjs';

const MODULE = new URL('./free-ports.mjs', import.meta.url).href;
const LOCKS = path.join(os.tmpdir(), 'cpm-pf-test-ports');

function ephemeralStart(): number {
  try { return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]); } catch { return 32768; }
}

/**
 * A separate node process that asks for `n` ports and prints them; it holds them (it lives) until
 * `release` is called, since a process's ports are free again once it exits.
 */
function portsFromChild(n: number): { ports: Promise<number[]>; release(): Promise<void> } {
  const code = `const { freePort } = await import(${JSON.stringify(MODULE)}); const out = []; for (let i = 0; i < ${n}; i++) out.push(await freePort()); console.log(JSON.stringify(out)); process.stdin.resume();`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => c.once('exit', r));
  const ports = new Promise<number[]>((resolve, reject) => {
    let out = '';
    c.stdout.on('data', (b) => {
      out += b;
      if (out.endsWith('\n')) resolve(JSON.parse(out));
    });
    void exited.then((status) => reject(new Error(`child exited ${status} before printing its ports`)));
  });
  return { ports, release: async () => { c.stdin.end(); await exited; } };
}

test('test ports come from below the ephemeral range, where no socket bound to port 0 can take them (the errno 98 of SIPp in CI)', async () => {
  const start = ephemeralStart();
  for (let i = 0; i < 50; i++) {
    const p = await freePorts(1);
    assert.ok(p > 1024 && p < start, `port ${p} is outside 1025..${start - 1}`);
  }
});

test('four processes asking at once never get the same port, and none is handed out twice in a process', async () => {
  const children = [0, 1, 2, 3].map(() => portsFromChild(100));
  const lists = await Promise.all(children.map((c) => c.ports));
  await Promise.all(children.map((c) => c.release()));
  const all = lists.flat();
  assert.equal(all.length, 400);
  assert.equal(new Set(all).size, 400);
});

test('consecutive ports are a run, each locked by its process; when every free port is locked by a process that is gone, those locks are taken over', async () => {
  const first = await freePorts(3);
  for (const p of [first, first + 1, first + 2]) assert.equal(readFileSync(path.join(LOCKS, String(p)), 'utf8'), String(process.pid));
  const dead = spawn(process.execPath, ['-e', '0']);
  const deadPid = await new Promise<number>((r) => dead.once('exit', () => r(dead.pid!)));
  const high = Math.min(32000, ephemeralStart());
  const stale = new Set<number>();
  mkdirSync(LOCKS, { recursive: true });
  for (let p = Math.max(1025, high - 12000); p < high; p++) {
    const file = path.join(LOCKS, String(p));
    if (!existsSync(file)) { writeFileSync(file, String(deadPid)); stale.add(p); }
  }
  try {
    const child = portsFromChild(20);
    const got = await child.ports;
    await child.release();
    assert.equal(new Set(got).size, 20);
    for (const p of got) assert.ok(stale.has(p), `port ${p} was not one of the stale locks`);
  } finally {
    for (const p of stale) {
      const file = path.join(LOCKS, String(p));
      try { if (readFileSync(file, 'utf8') === String(deadPid)) unlinkSync(file); } catch { /* taken over and released */ }
    }
  }
});
