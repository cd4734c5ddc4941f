// node:test reporter that writes the pass/fail counts of leaf tests as JSON, so scripts/test.mjs
// can print one closing line for the whole suite and hold the test names to the MATRIX.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  const names = [];
  for await (const event of source) {
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
  yield JSON.stringify({ passed, failed, failures, names });
}
