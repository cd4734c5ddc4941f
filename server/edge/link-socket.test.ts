import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { corkPerTurn } from './cork-per-turn';
import { LinkSocket } from './link-socket';

/** the two ends of a link over a fresh channel */
function linked(): [LinkSocket, LinkSocket] {
  const { port1, port2 } = new MessageChannel();
  return [new LinkSocket(port1), new LinkSocket(port2)];
}

const turn = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

test('D-297: a link socket is a net.Socket (srf checks) that carries text both ways, in order, as the UTF-8 bytes a TCP socket would carry', async () => {
  const [a, b] = linked();
  assert.ok(a instanceof net.Socket);
  // srf's wire protocol sets these on its socket; with no handle they must not throw
  a.setNoDelay(true);
  a.setKeepAlive(true);
  let atB = Buffer.alloc(0);
  let atA = Buffer.alloc(0);
  b.on('data', (d: Buffer) => (atB = Buffer.concat([atB, d])));
  a.on('data', (d: Buffer) => (atA = Buffer.concat([atA, d])));
  const text = 'héllo \u00ff byte string, emoji 😀; ';
  a.write('1#a');
  a.write(text);
  b.write('back');
  await until(() => atB.length === Buffer.byteLength(`1#a${text}`) && atA.length === 4, 'both sides received');
  assert.deepEqual(atB, Buffer.from(`1#a${text}`, 'utf8'));
  assert.equal(atA.toString(), 'back');
  a.destroy();
  b.destroy();
});

test('D-297: corked per turn, the frames of a turn cross as one message; write callbacks run', async () => {
  const [a, b] = linked();
  corkPerTurn(a);
  const chunks: string[] = [];
  b.on('data', (d: Buffer) => chunks.push(d.toString()));
  const done: number[] = [];
  for (let i = 0; i < 5; i++) a.write(`f${i};`, () => done.push(i));
  await turn();
  await until(() => chunks.join('') === 'f0;f1;f2;f3;f4;', 'all frames arrived');
  assert.equal(chunks.length, 1, `one message for the turn, got ${chunks.length}`);
  assert.deepEqual(done, [0, 1, 2, 3, 4]);
  a.destroy();
  b.destroy();
});

test('D-297: an end reaches the other side as an end, and a destroy closes the other side', async () => {
  const [a, b] = linked();
  let ended = false;
  let closedB = false;
  let closedA = false;
  b.on('end', () => (ended = true));
  b.on('close', () => (closedB = true));
  a.on('close', () => (closedA = true));
  b.resume();
  a.end('last');
  await until(() => ended, 'b saw the end');
  a.destroy();
  await until(() => closedA && closedB, 'both sides closed');
  assert.equal(b.destroyed, true);
  // writing to a closed link fails like a closed socket, without throwing
  const err = await new Promise<Error | null | undefined>((r) => a.write('late', r));
  assert.ok(err);
});
