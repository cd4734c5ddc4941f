import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopEach } from './stop-child';

test('bench: stopEach stops every process in order when one of them fails to stop, and says the failure instead of throwing', async () => {
  const stopped: string[] = [];
  const said: unknown[] = [];
  const proc = (name: string, fails = false) => ({
    stop: async () => {
      stopped.push(name);
      if (fails) throw new Error(`${name} would not stop`);
    },
  });
  await stopEach([proc('kamailio'), proc('srf-relay', true), proc('pf'), proc('uas')], (e) => said.push(e));
  assert.deepEqual(stopped, ['kamailio', 'srf-relay', 'pf', 'uas']);
  assert.deepEqual(said.map((e) => (e as Error).message), ['srf-relay would not stop']);
});
