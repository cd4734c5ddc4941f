// D-342: the MESSAGE link's posts, one per turn, over a real MessageChannel: what one turn posts
// arrives as one array in order, the next turn's as another; a message whose handling throws is
// reported and the others of its array are still handled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { PostPerTurn, receivePerTurn } from './post-per-turn';

function channel() {
  const { port1, port2 } = new MessageChannel();
  const arrays: number[][] = [];
  let wake: (() => void) | undefined;
  port2.on('message', (a: number[]) => {
    arrays.push(a);
    wake?.();
  });
  const arrived = async (n: number) => {
    while (arrays.length < n) await new Promise<void>((r) => (wake = r));
  };
  return { out: new PostPerTurn<number>(port1), arrays, arrived, close: () => (port1.close(), port2.close()) };
}

test('D-342: what one turn posts arrives as one array, in order; the next turn posts its own', async () => {
  const c = channel();
  c.out.post(1);
  c.out.post(2);
  c.out.post(3);
  // nothing leaves before the turn ends
  await new Promise<void>((r) => queueMicrotask(r));
  assert.equal(c.arrays.length, 0);
  await c.arrived(1);
  assert.deepEqual(c.arrays, [[1, 2, 3]]);
  setImmediate(() => c.out.post(4));
  await c.arrived(2);
  c.out.post(5);
  await c.arrived(3);
  assert.deepEqual(c.arrays, [[1, 2, 3], [4], [5]]);
  c.close();
});

test('D-342: a message whose handling throws is reported, and the rest of its array is handled', async () => {
  const { port1, port2 } = new MessageChannel();
  const handled: string[] = [];
  const failed: string[] = [];
  let done: () => void;
  const all = new Promise<void>((r) => (done = r));
  receivePerTurn<string>(
    port2,
    (m) => {
      if (m === 'bad') throw new Error('no such transaction');
      handled.push(m);
      if (m === 'last') done();
    },
    (e, m) => failed.push(`${m}: ${(e as Error).message}`),
  );
  const out = new PostPerTurn<string>(port1);
  for (const m of ['a', 'bad', 'b', 'last']) out.post(m);
  await all;
  assert.deepEqual(handled, ['a', 'b', 'last']);
  assert.deepEqual(failed, ['bad: no such transaction']);
  port1.close();
  port2.close();
});
