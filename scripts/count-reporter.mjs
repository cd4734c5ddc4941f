// node:test reporter that writes the pass/fail counts of leaf tests as JSON, so scripts/test.mjs
// can print one closing line for the whole suite and hold the test names to the MATRIX.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  const names = [];
  let engine;
  // wall time per test file: the sum of its top-level tests, to show where the suite's time goes
  const fileMs = {};
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      fileMs[event.data.file] = (fileMs[event.data.file] ?? 0) + (event.data.details?.duration_ms ?? 0);
    }
    if (event.type === 'test:coverage') {
      engine = engineCoverage(event.data.summary.files);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites report too; count only tests without subtests (details.type === 'test').
    if (event.data.details?.type === 'suite') continue;
    names.push(event.data.name);
    if (event.type === 'test:pass') passed++;
    else {
      failed++;
      failures.push(`${event.data.file ?? ''} › ${event.data.name}`);
    }
  }
  yield JSON.stringify({ passed, failed, failures, names, engine, fileMs });
}

// Per-line execution counts of the pure engine's source files (not tests or test fixtures);
// scripts/test.mjs turns them into a coverage figure over the lines that produce code.
function engineCoverage(files) {
  const out = {};
  for (const f of files) {
    const p = f.path.replaceAll('\\', '/');
    if (!p.includes('/server/engine/') || /\.test\.ts$|fixtures\.ts$/.test(p)) continue;
    out[f.path] = f.lines.filter((l) => l.count > 0).map((l) => l.line);
  }
  return out;
}
