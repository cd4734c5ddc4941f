import assert from 'node:assert/strict';
import test from 'node:test';
import { Teardown } from './teardown';

test('D-329: parts close newest first, each once', async () => {
  const t = new Teardown();
  const closed: string[] = [];
  for (const name of ['database', 'writer', 'edge']) t.add(name, () => closed.push(name));
  await t.run();
  await t.run();
  assert.deepEqual(closed, ['edge', 'writer', 'database']);
});

test('D-329: a part that fails to close does not keep the older ones running', async () => {
  const t = new Teardown();
  const closed: string[] = [];
  t.add('database', () => closed.push('database'));
  t.add('writer', async () => {
    throw new Error('writer stuck');
  });
  t.add('edge', () => {
    throw new Error('edge stuck');
  });
  const failures: string[] = [];
  await t.run((what, e) => failures.push(`${what}: ${(e as Error).message}`));
  assert.deepEqual(closed, ['database']);
  assert.deepEqual(failures, ['edge: edge stuck', 'writer: writer stuck']);

  const u = new Teardown();
  u.add('database', () => closed.push('database again'));
  u.add('edge', () => {
    throw new Error('edge stuck');
  });
  await assert.rejects(u.run(), /edge stuck/);
  assert.deepEqual(closed, ['database', 'database again']);
});
