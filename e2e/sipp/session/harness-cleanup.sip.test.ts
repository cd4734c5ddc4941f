// A session test whose set-up fails before its `try` used to leave its PF and SIPps running, so
// its file's process never ended and the whole file hung until the runner's 180 s timeout. The
// harness now stops, after a file's tests, whatever it started that is still running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runToExit } from '../../support/run-to-exit';
import path from 'node:path';

test('a session test that fails in its set-up fails, and its file ends: the harness stops the PF and devices it started', async () => {
  const file = path.resolve('e2e/sipp/session/fixtures/setup-fails.fixture.ts');
  // a runner of its own: without NODE_TEST_CONTEXT, which would make it report to this one
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  // a bound on a hang, not on speed: the fixture takes a few seconds; without the clean-up it never ends
  const { code, out } = await runToExit(['--import', 'tsx', '--test', '--test-reporter=tap', file], { hangMs: 90_000, env });
  assert.notEqual(code, 'hung', `the file's process was still running after 90 s:\n${out.slice(-2000)}`);
  assert.equal(code, 1, out.slice(-2000));
  assert.match(out, /# fail 1/);
  assert.match(out, /set-up failed on purpose/);
});
