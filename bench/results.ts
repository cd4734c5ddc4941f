// Where figures go: bench/results/<name>.json (with the machine and the time of the run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.resolve('bench/results');

/** the commit measured, and whether the work tree had uncommitted changes outside bench/ */
function revision(): { commit: string; dirtyOutsideBench: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() && !/\sbench\//.test(l) && !/docs\/BENCHMARKS\.md$/.test(l));
    return { commit, dirtyOutsideBench: dirty.length > 0 };
  } catch {
    return { commit: 'unknown', dirtyOutsideBench: false };
  }
}

export function machine() {
  return {
    ...revision(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...data }, null, 2) + '\n');
  return file;
}
