#!/usr/bin/env node
// `npm test`: every test of the project, in three stages: unit (pure code), sip (real sockets,
// SIPp, databases) and e2e (the running product in Debian's Chromium under Playwright).
// Usage: node scripts/test.mjs [unit|sip|e2e ...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { executableLines } from './executable-lines.mjs';
import { matrixIds, MATRIX, SNAPSHOT } from './matrix-ids.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.CHECKPOINT_DISABLE = '1';
const stages = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'sip', 'e2e'];
const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'data', 'test-results', 'generated']);

function findTests(dir, pred, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, pred, out);
    else if (pred(e.name)) out.push(p);
  }
  return out.sort();
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function ensureSystemPackages() {
  const missing = [];
  if (!have('sipp')) missing.push('sip-tester');
  // stock SIP phones for e2e/phones (issue 13): real clients, not scenarios written here
  if (stages.includes('sip') && !have('linphonec')) missing.push('linphone-cli');
  if (stages.includes('sip') && !have('baresip')) missing.push('baresip');
  if (stages.includes('sip') && !have('tmux')) missing.push('tmux');
  // Wireshark's reader checks the pcap files of session captures (sip and e2e stages)
  if ((stages.includes('sip') || stages.includes('e2e')) && !have('tshark')) missing.push('tshark');
  if (stages.includes('e2e') && !existsSync('/usr/bin/chromium')) missing.push('chromium');
  // the cluster (issue 19): Redis carries the console's live stream between PF instances, and
  // Kamailio's dispatcher spreads the served users over them (scripts/cluster.mjs)
  if (stages.includes('sip') && !have('redis-server')) missing.push('redis-server');
  if (stages.includes('sip') && !existsSync('/usr/sbin/kamailio')) missing.push('kamailio');
  // the store's tests run against a throwaway PostgreSQL server as well (scripts/pg-throwaway.mjs)
  if (stages.includes('sip') && !['/usr/local/bin/initdb', '/usr/lib/postgresql/15/bin/initdb'].some((f) => existsSync(f))) missing.push('postgresql');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`npm test needs Debian packages: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(2);
  }
  console.error(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  if (update.status !== 0 || install.status !== 0) {
    console.error(`apt-get could not install ${missing.join(' ')}; install them and run npm test again`);
    process.exit(2);
  }
}

const totals = { passed: 0, failed: 0, failures: [] };
const names = [];

const ENGINE_COVERAGE_MIN = 95;
let engineCoverage;

function runNodeTests(files, concurrency, coverage = false) {
  if (files.length === 0) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-test-'));
  const counts = path.join(dir, 'counts.json');
  spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000',
      ...(coverage ? ['--experimental-test-coverage'] : []),
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/count-reporter.mjs', `--test-reporter-destination=${counts}`,
      ...files,
    ],
    { stdio: 'inherit' },
  );
  const c = existsSync(counts) ? JSON.parse(readFileSync(counts, 'utf8') || '{}') : {};
  if (c.passed === undefined) {
    totals.failed++;
    totals.failures.push(`test runner crashed for ${files.length} files`);
    return;
  }
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.failures.push(...c.failures);
  names.push(...(c.names ?? []));
  if (c.engine) engineCoverage = c.engine;
  const slowest = Object.entries(c.fileMs ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (slowest.length) {
    console.log(`\nslowest files: ${slowest.map(([f, ms]) => `${path.relative('.', f)} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  }
}

function runPlaywright() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-e2e-'));
  const json = path.join(dir, 'results.json');
  spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test'], {
    stdio: 'inherit',
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: json },
  });
  if (!existsSync(json)) {
    totals.failed++;
    totals.failures.push('playwright produced no results');
    return;
  }
  const r = JSON.parse(readFileSync(json, 'utf8'));
  const s = r.stats ?? {};
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) names.push(spec.title);
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of r.suites ?? []) walk(suite);
  totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  totals.failed += s.unexpected ?? 0;
  if (s.unexpected) totals.failures.push(`${s.unexpected} Playwright test(s)`);
}

ensureSystemPackages();
const t0 = Date.now();
for (const stage of stages) {
  console.log(`\n=== ${stage} tests ===`);
  if (stage === 'unit') runNodeTests(findTests('.', (n) => n.endsWith('.test.ts') && !n.endsWith('.sip.test.ts')), 2, true);
  // Two sip files at a time: each starts its own PF, SIPps and databases on its own ports
  // (scripts/free-ports.mjs), and most of their time is waiting on SIP timers (D-314).
  else if (stage === 'sip') runNodeTests(findTests('.', (n) => n.endsWith('.sip.test.ts')), Number(process.env.SIP_TEST_CONCURRENCY || 2));
  else if (stage === 'e2e') runPlaywright();
  else {
    console.error(`unknown stage ${stage}; use unit, sip or e2e`);
    process.exit(2);
  }
}
if (engineCoverage) {
  let total = 0;
  let covered = 0;
  const worst = [];
  for (const [file, hit] of Object.entries(engineCoverage)) {
    const exec = executableLines(file);
    const hits = new Set(hit);
    const c = [...exec].filter((l) => hits.has(l)).length;
    total += exec.size;
    covered += c;
    if (exec.size) worst.push([path.relative('.', file), (100 * c) / exec.size]);
  }
  const percent = total ? (100 * covered) / total : 0;
  const pct = percent.toFixed(2);
  console.log(`\nserver/engine line coverage: ${pct}% of ${total} executable lines in ${worst.length} files (at least ${ENGINE_COVERAGE_MIN}% required)`);
  worst.sort((a, b) => a[1] - b[1]);
  console.log(`  lowest: ${worst.slice(0, 5).map(([f, p]) => `${f} ${p.toFixed(1)}%`).join(', ')}`);
  if (percent < ENGINE_COVERAGE_MIN) {
    totals.failed++;
    totals.failures.push(`server/engine line coverage ${pct}% is under ${ENGINE_COVERAGE_MIN}%`);
  } else totals.passed++;
}

// Every MATRIX row must have a test titled with its id (ids before the first ':', comma-separated).
if (['unit', 'sip', 'e2e'].every((st) => stages.includes(st))) {
  const ids = existsSync(MATRIX) ? matrixIds(readFileSync(MATRIX, 'utf8')) : readFileSync(SNAPSHOT, 'utf8').split('\n').filter(Boolean);
  const claimed = new Set(names.flatMap((n) => n.split(':')[0].split(/,\s*/).map((x) => x.trim().split(/\s+/)[0])));
  const missing = ids.filter((id) => !claimed.has(id));
  console.log(`\nMATRIX coverage: ${ids.length - missing.length} of ${ids.length} rows have a test titled with their id`);
  if (missing.length) {
    totals.failed++;
    totals.failures.push(`MATRIX rows without a test: ${missing.join(', ')}`);
  } else totals.passed++;
}
console.log(`\nSuite took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (totals.failures.length) console.log(`Failed:\n  ${totals.failures.join('\n  ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
