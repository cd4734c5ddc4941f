// issue 19: with REDIS_URL, a console connected to one PF instance sees what every instance
// streams (decisions, sessions, registrations), over a real Redis and real socket.io connections; each
// instance's overview stays its own; an unreachable Redis stops the start with a clear sentence.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { freePort, startRedis } from '../../scripts/daemon.mjs';
import { ConfigError } from '../config';
import type { Overview } from '../http/queries/overview';
import { logger } from '../log';
import type { CpmSession } from '../engine/model';
import { DecisionLog } from '../store/decision-log';
import { upsertSession } from '../store/sessions';
import { databaseTargets } from '../store/test-databases';
import { LiveBus } from './bus';
import { consoleServices } from './console-services';
import type { DecisionRecord, ServerToClientEvents } from './events';
import { attachGateway } from './gateway';
import { connectRedis } from './redis-adapter';

const [sqlite] = databaseTargets();
const redis = startRedis();
after(async () => (await redis).stop());

async function instance(name: string, url: string, db: Awaited<ReturnType<typeof sqlite.fresh>>) {
  const link = await connectRedis(url, logger(`redis-${name}`));
  const bus = new LiveBus();
  const decisions = new DecisionLog(db.store, () => undefined, { instance: name, flushMs: 5 });
  await decisions.init();
  consoleServices(bus, db.store); // the session queries' database, as the console's routes register it
  const http = createServer();
  const io = attachGateway(http, bus, decisions, async () => ({ users: name }) as unknown as Overview, link.adapter);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    bus,
    decisions,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await decisions.close();
      io.close();
      http.close();
      await link.close();
    },
  };
}

function next<E extends keyof ServerToClientEvents>(c: Socket, event: E, pred: (...a: Parameters<ServerToClientEvents[E]>) => boolean): Promise<Parameters<ServerToClientEvents[E]>> {
  const s = c as unknown as { on(e: string, f: (...a: unknown[]) => void): void; off(e: string, f: (...a: unknown[]) => void): void };
  return new Promise((resolve, reject) => {
    // a bound, not a speed requirement: an event that never comes fails with its name, not a hang
    const timer = setTimeout(() => {
      s.off(event, on);
      reject(new Error(`no ${event} reached the console on the other instance`));
    }, 15_000);
    const on = (...a: unknown[]) => {
      if (!pred(...(a as Parameters<ServerToClientEvents[E]>))) return;
      clearTimeout(timer);
      s.off(event, on);
      resolve(a as Parameters<ServerToClientEvents[E]>);
    };
    s.on(event, on);
  });
}

test('issue 19: a console on instance A sees decisions, sessions and registrations of instance B; each overview stays its own', async () => {
  const { url } = await redis;
  const db = await sqlite.fresh();
  const a = await instance('pf-a', url, db);
  const b = await instance('pf-b', url, db);
  const c = connect(a.url, { path: '/socket.io', transports: ['websocket'] });
  try {
    const replayed = next(c, 'decisions:replayed', () => true);
    c.emit('decisions:resume', { afterSeq: 0 });
    await replayed; // in the room now
    const made: DecisionRecord[] = [];
    const seen = new Promise<DecisionRecord[]>((resolve) => {
      const got: DecisionRecord[] = [];
      c.on('decision:made', (d) => {
        got.push(d);
        if (got.length === 4) resolve(got);
      });
    });
    for (const [inst, i] of [[b, 1], [a, 2], [b, 3], [b, 4]] as const) {
      const d = inst.decisions.append({ at: new Date().toISOString(), servedUser: null, procedure: 'IMDN-RX', branch: 'IMDN-RX-1', outcome: 'FORWARD', summary: `d${i}`, messageId: `m${i}`, disposition: 'delivered', callId: `c${i}`, inputs: {} });
      made.push(d);
      inst.bus.emit('decision', d);
    }
    const got = await seen;
    assert.deepEqual(got.map((d) => [d.instance, d.summary]).sort(), made.map((d) => [d.instance, d.summary]).sort());

    const reg = next(c, 'registration:changed', (r) => r.aor === 'sip:bob@example.com');
    b.bus.emit('registration:changed', { aor: 'sip:bob@example.com', contacts: 1 });
    assert.deepEqual((await reg)[0], { aor: 'sip:bob@example.com', contacts: 1 });

    // a session held by B reaches A's session list
    const alice = await db.user('sip:alice@example.com');
    await upsertSession(db.store, alice, { id: 's-on-b', servedUser: 'sip:alice@example.com', type: 'ONE_TO_ONE', conversationId: 'c1', contributionId: 'k1', mode: 'ACTIVE', legs: [] } as unknown as CpmSession, { instance: 'pf-b' });
    await new Promise<void>((resolve) => c.emit('sessions:watch', () => resolve()));
    const session = next(c, 'session:updated', (s) => s.id === 's-on-b');
    b.bus.emit('session:updated', { sessionId: 's-on-b' });
    assert.equal((await session)[0].servedUser, 'sip:alice@example.com');

    const overviews: unknown[] = [];
    c.on('overview:updated', (o) => overviews.push((o as unknown as { users: string }).users));
    const o = next(c, 'overview:updated', () => true);
    c.emit('overview:watch');
    await o;
    // B's ticker has nobody in its own overview room; A's watcher only ever gets A's overview
    assert.ok(overviews.every((x) => x === 'pf-a'), JSON.stringify(overviews));

    // after a reconnect the console resumes each instance from its own last id
    const after: Record<string, number> = {};
    for (const d of got.slice(0, 2)) after[d.instance!] = Math.max(after[d.instance!] ?? 0, d.seq);
    const page = next(c, 'decisions:replayed', () => true);
    c.emit('decisions:resume', { afterSeq: Math.max(...Object.values(after)), after });
    const rest = (await page)[0].decisions.map((d) => d.summary).sort();
    assert.deepEqual(rest, got.slice(2).map((d) => d.summary).sort());
  } finally {
    c.close();
    await a.close();
    await b.close();
  }
});

test('issue 19: a REDIS_URL nobody answers on stops the start with a sentence naming it', async () => {
  const port = await freePort();
  await assert.rejects(connectRedis(`redis://127.0.0.1:${port}`, logger('redis')), (e: Error) => e instanceof ConfigError && /REDIS_URL redis:\/\/127\.0\.0\.1:\d+: cannot connect/.test(e.message));
});
