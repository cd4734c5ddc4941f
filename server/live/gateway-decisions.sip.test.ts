// Issue 17 (D-331): the live decision stream costs nothing while no console watches it. socket.io encodes
// a broadcast (a recursive walk for binary parts, then JSON) before it looks for the room's
// sockets, so an emit to the empty `decisions` room serialised every decision of every request for
// nobody. The gateway now broadcasts a decision only when the room has a member (or, with the
// Redis adapter, always: the watchers may be on another instance). Real socket.io connections, a
// real decision log on SQLite; broadcasts counted at the adapter, the seam every emit to a room
// goes through.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { io as connect } from 'socket.io-client';
import type { DecisionRecord, SipMessageRecord } from './events';
import { DecisionLog } from '../store/decision-log';
import { databaseTargets } from '../store/test-databases';
import { LiveBus } from './bus';
import { consoleServices } from './console-services';
import { attachGateway } from './gateway';

const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;
const settle = () => new Promise((r) => setTimeout(r, 150));

function decision(seq: number): DecisionRecord {
  return {
    seq, instance: '', at: new Date().toISOString(), servedUser: 'sip:alice@example.com', procedure: 'IMDN-RX', branch: 'IMDN-RX-1',
    outcome: 'forwarded', summary: 'test', messageId: `m${seq}`, disposition: 'delivered', callId: `c${seq}`, sessionId: null, inputs: {},
  };
}

function traced(sessionId: string): SipMessageRecord {
  return { seq: 1, at: new Date().toISOString(), sessionId, legId: 'l1', callId: 'c1', direction: 'in', peer: 'CLIENT', method: 'BYE', firstLine: 'BYE sip:alice@example.com SIP/2.0', cseq: '2 BYE' };
}

test('console: decisions and SIP traces are encoded for the live stream only while a console watches them (issue 17, D-331)', async () => {
  const db = await sqlite.fresh();
  const log = new DecisionLog(db.store, () => undefined, { provider: 'sqlite' });
  await log.init();
  const bus = new LiveBus();
  consoleServices(bus, db.store);
  const http = createServer();
  const io = attachGateway(http, bus, log);
  const adapter = io.of('/').adapter;
  const broadcast = adapter.broadcast.bind(adapter);
  let broadcasts = 0;
  adapter.broadcast = (packet, opts) => {
    broadcasts++;
    broadcast(packet, opts);
  };
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const c = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { path: '/socket.io', transports: ['websocket'] });
  const received: number[] = [];
  c.on('decision:made', (d) => received.push(d.seq));
  try {
    await new Promise<void>((r) => c.on('connect', () => r()));
    broadcasts = 0;
    for (let i = 1; i <= 5; i++) bus.emit('decision', decision(i));
    await settle();
    assert.equal(broadcasts, 0, 'nobody watches the decisions: nothing is encoded');

    await new Promise<void>((r) => {
      c.once('decisions:replayed', () => r());
      c.emit('decisions:resume', { afterSeq: 0 });
    });
    bus.emit('decision', decision(6));
    await settle();
    assert.equal(broadcasts, 1, 'a console watches: the decision is broadcast');
    assert.deepEqual(received, [6], 'and the console gets it');

    broadcasts = 0;
    bus.emit('sip:traced', traced('s1'));
    await settle();
    assert.equal(broadcasts, 0, "a session's SIP message, nobody watching that session: nothing is encoded");
    await new Promise<void>((r) => c.emit('session:watch', { id: 's1' }, () => r()));
    bus.emit('sip:traced', traced('s1'));
    await settle();
    assert.equal(broadcasts, 1, 'its watcher gets it');
    bus.emit('registration:changed', { aor: 'sip:alice@example.com', contacts: 1 });
    await settle();
    assert.equal(broadcasts, 2, 'a registration change goes to every console connected');

    c.close();
    await settle();
    broadcasts = 0;
    bus.emit('decision', decision(7));
    bus.emit('sip:traced', traced('s1'));
    bus.emit('registration:changed', { aor: 'sip:alice@example.com', contacts: 1 });
    await settle();
    assert.equal(broadcasts, 0, 'the console left: nothing is encoded again');
  } finally {
    c.close();
    io.close();
    http.close();
    await log.close();
  }
});
