// Issue 17: the console's session reads happen only for rooms with watchers. A session or leg
// update the PF publishes reads the database (the session's summary, the leg) only when a console
// watches the session list or that session; nobody watching, nothing is read. Real socket.io
// connections and a real SQLite database; reads counted from the database's own query events.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { io as connect } from 'socket.io-client';
import type { DecisionLog } from '../store/decision-log';
import { databaseTargets } from '../store/test-databases';
import { LiveBus } from './bus';
import { consoleServices } from './console-services';
import { attachGateway } from './gateway';

const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;
const settle = () => new Promise((r) => setTimeout(r, 150));

test('console: session and leg updates read the database only while a console watches', async () => {
  const db = await sqlite.fresh();
  let queries = 0;
  db.onQuery(() => queries++);
  const bus = new LiveBus();
  consoleServices(bus, db.store);
  const http = createServer();
  const io = attachGateway(http, bus, {} as DecisionLog);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const c = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { path: '/socket.io', transports: ['websocket'] });
  try {
    await new Promise<void>((r) => c.on('connect', () => r()));
    const publish = () => {
      bus.emit('session:updated', { sessionId: 's1' });
      bus.emit('leg:updated', { sessionId: 's1', legId: 'l1' });
    };
    queries = 0;
    publish();
    await settle();
    assert.equal(queries, 0, 'nobody watches: nothing is read');

    await new Promise<void>((r) => c.emit('session:watch', { id: 's1' }, () => r()));
    queries = 0;
    publish();
    await settle();
    assert.ok(queries > 0, 'a console watches the session: it is read');

    await new Promise<void>((r) => c.emit('session:watch', { id: 'other' }, () => r()));
    c.emit('session:unwatch', { id: 's1' });
    await settle();
    queries = 0;
    publish();
    await settle();
    assert.equal(queries, 0, 'a console watches another session only: nothing is read');

    await new Promise<void>((r) => c.emit('sessions:watch', () => r()));
    queries = 0;
    bus.emit('session:updated', { sessionId: 's1' });
    await settle();
    assert.ok(queries > 0, 'a console watches the session list: the summary is read');
  } finally {
    c.close();
    io.close();
    http.close();
  }
});
