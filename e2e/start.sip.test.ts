// `npm start` as a user runs it (scripts/start.mjs), on free ports so it can run beside anything:
// the PF answers SIP OPTIONS, the console answers HTTP, and SIGTERM stops it cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_HEAP_MB } from '../scripts/heap-limit.mjs';
import { freePort } from './support/ports';
import { runSipp } from './support/sipp';

// HTTP_PORT=0 lets the system choose the console's port: the start log is the only place that
// says which, so the test reaches the console through the URL the log gives (it said :0 before).
test('npm start: migrates a fresh database, answers OPTIONS with 200, serves the console at the URL it logs, stops on SIGTERM', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-start-'));
  const sipPort = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, SIP_PORT: String(sipPort), HTTP_PORT: '0', DATABASE_URL: `file:${path.join(dir, 'pf.db')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 120_000;
    let page = '';
    let url: string | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      url = /console on (http:\/\/[^\s"]+)/.exec(out)?.[1];
      if (url?.endsWith(':0')) break; // the configured port, not the bound one: nothing to reach
      try {
        const r = url ? await fetch(`${url}/`) : undefined;
        if (r?.ok) {
          page = await r.text();
          break;
        }
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.match(page, /cpm-pf/, `console did not come up at the URL the start log gives (${url}):\n${out}`);
    assert.match(out, /applied migrations: \d+_create_core_tables/);
    // D-327: the PF runs under PF_HEAP_MB's limit (V8 adds its young generation, up to 64 MiB)
    const limit = Number(/heap limit (\d+) MiB \(PF_HEAP_MB\)/.exec(out)?.[1]);
    assert.ok(limit >= DEFAULT_HEAP_MB && limit <= DEFAULT_HEAP_MB + 64, `heap limit ${limit} MiB, not PF_HEAP_MB's default ${DEFAULT_HEAP_MB}:\n${out}`);

    const options = await runSipp({ scenario: 'options.xml', target: `127.0.0.1:${sipPort}`, localPort: await freePort(), calls: 1, timeoutSec: 10 });
    assert.equal(options.code, 0, `OPTIONS did not get 200: ${options.stderr}`);

    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, `no clean exit on SIGTERM:\n${out}`);
    assert.match(out, /SIGTERM: shutting down/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('D-327: npm start refuses a PF_HEAP_MB that is no number of MiB, with a sentence naming it, before it builds or starts anything', () => {
  const r = spawnSync(process.execPath, ['scripts/start.mjs'], { env: { ...process.env, PF_HEAP_MB: '2GB' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^configuration: PF_HEAP_MB must be a whole number of MiB, at least 256, got "2GB"$/m);
  assert.doesNotMatch(r.stderr, /Building the console/);
});
