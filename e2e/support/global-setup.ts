// Builds the console once before the browser tests (skipped when the build is current).
import { spawnSync } from 'node:child_process';

export default function globalSetup(): void {
  const r = spawnSync(process.execPath, ['scripts/start.mjs', '--build-only'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console build failed');
}
