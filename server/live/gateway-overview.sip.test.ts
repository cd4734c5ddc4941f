// The overview room over real socket.io connections: every watcher gets the overview once a second,
// and the server computes it once per tick for all of them, not once per console.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import type { Overview } from '../http/queries/overview';
import type { DecisionLog } from '../store/decision-log';
import { LiveBus } from './bus';
import { attachGateway } from './gateway';

test('console: three consoles watching the overview share one computation per second; it stops when they leave', async () => {
  let computed = 0;
  const overviewOf = async () => ({ users: ++computed }) as unknown as Overview;
  const http = createServer();
  const io = attachGateway(http, new LiveBus(), {} as DecisionLog, overviewOf);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: Socket[] = [];
  const received = [0, 0, 0];
  try {
    for (let i = 0; i < 3; i++) {
      const c = connect(url, { path: '/socket.io', transports: ['websocket'] });
      c.on('overview:updated', () => received[i]++);
      c.emit('overview:watch');
      clients.push(c);
    }
    // each console: the overview at once when it joins, then one per tick
    while (received.some((n) => n < 3)) await new Promise((r) => setTimeout(r, 50));
    const events = received.reduce((a, n) => a + n, 0);
    assert.ok(computed < events, `computed ${computed} times for ${events} overviews delivered`);
    assert.ok(computed <= 3 + Math.max(...received), 'one computation per join plus one per tick');

    for (const c of clients) c.emit('overview:unwatch');
    await new Promise((r) => setTimeout(r, 1300));
    const after = computed;
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(computed, after, 'nobody watches: nothing is computed');
  } finally {
    for (const c of clients) c.close();
    io.close();
    http.close();
  }
});
