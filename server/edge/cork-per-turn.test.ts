import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { corkPerTurn } from './cork-per-turn';
import { countHandleWrites } from '../../e2e/support/socket-writes';

/** a connected TCP pair on loopback */
async function pair(): Promise<{ a: net.Socket; b: net.Socket; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const a = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => a.once('connect', () => r()));
  const b = await accepted;
  return { a, b, close: () => { a.destroy(); b.destroy(); server.close(); } };
}


test('D-296: the frames written in one turn of the event loop leave in one write, in order, and each write callback runs', async () => {
  const { a, b, close } = await pair();
  try {
    const writes = countHandleWrites(a);
    corkPerTurn(a);
    let got = '';
    b.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const done: number[] = [];
    for (let i = 0; i < 5; i++) a.write(`frame${i};`, () => done.push(i));
    assert.equal(writes(), 0, 'nothing leaves before the turn ends');
    await new Promise((r) => setImmediate(r));
    assert.equal(writes(), 1);
    // the next turn corks again
    a.write('later;');
    await new Promise((r) => setImmediate(r));
    assert.equal(writes(), 2);
    for (let t = 0; t < 50 && got.length < 'frame0;frame1;frame2;frame3;frame4;later;'.length; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, 'frame0;frame1;frame2;frame3;frame4;later;');
    assert.deepEqual(done, [0, 1, 2, 3, 4]);
  } finally {
    close();
  }
});

test('D-296: without it, each frame is a write of its own (what the test above tells apart)', async () => {
  const { a, close } = await pair();
  try {
    const writes = countHandleWrites(a);
    for (let i = 0; i < 5; i++) a.write(`frame${i};`);
    await new Promise((r) => setImmediate(r));
    assert.equal(writes(), 5);
  } finally {
    close();
  }
});
