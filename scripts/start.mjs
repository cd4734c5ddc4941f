#!/usr/bin/env node
// `npm start`: builds the console once if needed, then runs the PF and the console in one process.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pfEnv, pfNodeArgs } from './pf-node-args.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.CHECKPOINT_DISABLE = '1';
const dev = process.env.NODE_ENV === 'development';

// PF_HEAP_MB must reach node before the PF's process starts: refused here, before any build
let nodeArgs;
try {
  nodeArgs = pfNodeArgs(process.env);
} catch (e) {
  console.error(`configuration: ${e.message}`);
  process.exit(1);
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  const id = '.next/BUILD_ID';
  if (!existsSync(id)) return true;
  const built = statSync(id).mtimeMs;
  return ['app', 'public', 'server/live'].some((d) => existsSync(d) && newestMtime(d) > built) ||
    ['next.config.js', 'package-lock.json'].some((f) => existsSync(f) && statSync(f).mtimeMs > built);
}

if (!dev && buildIsStale()) {
  console.error('Building the console (once; about 15 s)…');
  const r = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (process.argv.includes('--build-only')) process.exit(0);

process.env.NODE_ENV ??= 'production';
const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/index.ts'], { stdio: 'inherit', env: { ...process.env, ...pfEnv(process.env) } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
