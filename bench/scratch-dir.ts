// The bench's scratch directories (a PF's database, SIPp's statistics, Kamailio's configuration):
// made under the OS's temp directory and removed once their run has been read, so that repeated
// runs do not fill the disk. A PF's SQLite file under IMDN load grows to about 100 MB; before
// this, 256 bench PFs had left 28 GB in /tmp on one machine. BENCH_KEEP_DATA=1 keeps them for a
// look afterwards. Raw CPU profiles (bench-prof-*) are not scratch: their hot spots go to
// bench/profiles, and the whole profile stays for a closer look.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const KEEP = process.env.BENCH_KEEP_DATA === '1';

export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export function removeScratch(dir: string | undefined): void {
  if (!dir || KEEP) return;
  rmSync(dir, { recursive: true, force: true });
}
