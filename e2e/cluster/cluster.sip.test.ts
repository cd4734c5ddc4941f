// issue 19, the scale-out topology on loopback (scripts/cluster.mjs): Kamailio's dispatcher in
// front of two PF instances, one PostgreSQL, one Redis. IMDNs for many users go through Kamailio.
// Asserted: no notification forwarded twice (each user's duplicates meet the same dedup cache),
// each user's traffic on one instance, a console on instance A sees decisions made on B, and
// killing B moves B's users to A without losing an acknowledged message (DECISIONS D-231).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { io as connectIo, type Socket } from 'socket.io-client';
import { startCluster } from '../../scripts/cluster.mjs';
import type { DecisionRecord } from '../../server/live/events';
import { consoleLogin } from '../support/product';
import { headerOf, rawPeer, type RawMessage, type RawPeer } from '../support/raw-sip';

const USERS = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, '0')}`);
const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

type Cluster = Awaited<ReturnType<typeof startCluster>>;
let cluster: Cluster;
let client: RawPeer; // every user's registered client (one socket, one Contact per user)
let sender: RawPeer; // the remote side that sends the notifications
let db: pg.Client;

before(async () => {
  cluster = await startCluster({ instances: 2, users: USERS });
  client = await rawPeer();
  sender = await rawPeer();
  db = new pg.Client({ connectionString: cluster.databaseUrl });
  await db.connect();
});
after(async () => {
  await db?.end().catch(() => {});
  await client?.close();
  await sender?.close();
  await cluster?.stop();
});

function imdn(user: string, messageId: string): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${messageId}</message-id><datetime>2026-12-04T10:00:00Z</datetime><recipient-uri>sip:dave@remote.example</recipient-uri><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
  return Buffer.from(`From: <sip:dave@remote.example>\r\nTo: <sip:${user}@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n-${messageId}-${Math.random().toString(36).slice(2)}\r\nDateTime: 2026-12-04T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
}

/**
 * Sends one delivery notification for `user` through Kamailio, as a network would: a refusal for
 * overload (a PF's 503 with Retry-After, which Kamailio passes on as 500, RFC 3261 16.7) is sent
 * again, as a new transaction, a moment later. Resolves with the final status (0: none at all).
 */
async function notify(user: string, messageId: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const res = await sender.request(cluster.kamailio.port, {
      uri: `sip:${user}@example.com`, from: 'sip:dave@remote.example', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: imdn(user, messageId), deadlineMs: 30_000,
    });
    const status = res ? Number(res.startLine.split(' ')[1]) : 0;
    if (res && status >= 300) refusals.push(`${res.startLine} (${headerOf(res, 'Server') ?? headerOf(res, 'User-Agent') ?? 'no Server header'})`);
    if ((status !== 500 && status !== 503) || attempt === 30) return status;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
/** final answers other than 2xx, for failure messages */
const refusals: string[] = [];

const userOf = (m: RawMessage) => /^MESSAGE sip:([^@]+)@/.exec(m.startLine)?.[1] ?? '?';
const messageIdOf = (m: RawMessage) => /<message-id>([^<]+)<\/message-id>/.exec(m.body.toString())?.[1] ?? '?';
/** the PF instance a forwarded request came from: the sent-by port of its top Via */
const sentByPort = (m: RawMessage) => Number(/SIP\/2\.0\/UDP [^:]+:(\d+)/.exec(headerOf(m, 'Via') ?? '')?.[1]);

/** which instances made the IMDN-RX decisions on these message ids (waits for their batched writes) */
async function decisionInstances(messageIds: string[]): Promise<Map<string, Set<string>>> {
  for (let waited = 0; ; waited += 100) {
    const r = await db.query<{ messageId: string; instance: string }>(`SELECT "messageId", "instance" FROM "Decision" WHERE "procedure" = 'IMDN-RX' AND "messageId" = ANY($1)`, [messageIds]);
    const out = new Map<string, Set<string>>();
    for (const row of r.rows) out.set(row.messageId, (out.get(row.messageId) ?? new Set()).add(row.instance));
    if (out.size === new Set(messageIds).size || waited > 20_000) return out;
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function deferredIds(messageIds: string[]): Promise<Set<string>> {
  const r = await db.query<{ messageId: string }>(`SELECT "messageId" FROM "DeferredItem" WHERE "messageId" = ANY($1)`, [messageIds]);
  return new Set(r.rows.map((x) => x.messageId));
}

/** the PFs' error lines, for a failure message */
const pfErrors = () =>
  [...cluster.pfs.map((p) => p.daemon), cluster.kamailio.daemon]
    .flatMap((d) => d.output().split('\n').filter((l) => / error |ERROR:/.test(l)).slice(0, 5).map((l) => `${d.name}: ${l.slice(0, 400)}`))
    .join('\n');

let home = new Map<string, string>(); // user → the instance that served it before the failover

test('issue 19: through Kamailio, each user\'s notifications stay on one PF instance and none is forwarded twice', async () => {
  for (const u of USERS) assert.equal(await client.register(cluster.kamailio.port, u), 200, `REGISTER ${u}`);
  // every notification twice (a duplicate, as a retrying network sends): 3 messages a user
  const sent: Array<[string, string]> = USERS.flatMap((u) => [1, 2, 3].map((i): [string, string] => [u, `${u}-m${i}`]));
  const statuses = await Promise.all(sent.flatMap(([u, id]) => [notify(u, id), notify(u, id)]));
  // acknowledged: 200 once the client has it; 202 when the PF kept it for the client instead (a
  // client slower than the PF's relay timeout on a loaded machine)
  assert.deepEqual(statuses.filter((s) => s !== 200 && s !== 202), [], `every notification acknowledged; refusals: ${[...new Set(refusals)].slice(0, 3).join('; ')}; errors logged:\n${pfErrors()}`);
  const deferred = await deferredIds(sent.map(([, id]) => id));
  const got = client.requests.filter((m) => m.startLine.startsWith('MESSAGE'));
  const count = new Map<string, number>();
  for (const m of got) count.set(messageIdOf(m), (count.get(messageIdOf(m)) ?? 0) + 1);
  assert.deepEqual([...count.entries()].filter(([, n]) => n > 1), [], 'no notification forwarded twice');
  assert.deepEqual(sent.filter(([, id]) => !count.has(id) && !deferred.has(id)), [], 'each one forwarded or kept');

  const portOf = new Map(cluster.pfs.map((p) => [p.sipPort, p.name]));
  const byUser = new Map<string, Set<string>>();
  for (const m of got) byUser.set(userOf(m), (byUser.get(userOf(m)) ?? new Set()).add(portOf.get(sentByPort(m)) ?? `port ${sentByPort(m)}`));
  for (const [u, instances] of byUser) assert.equal(instances.size, 1, `${u} served by ${[...instances]}`);
  // and every decision about a user's notifications was made on that same instance
  const made = await decisionInstances(sent.map(([, id]) => id));
  for (const [u, id] of sent) assert.deepEqual([...(made.get(id) ?? [])], [...byUser.get(u)!], `decisions on ${id}`);
  home = new Map([...byUser].map(([u, s]) => [u, [...s][0]]));
  const spread = new Set(home.values());
  assert.equal(spread.size, 2, 'the hash spreads the users over both instances');
});

test('issue 19: a console signed in on instance A sees the decisions instance B makes', async () => {
  const [a, b] = cluster.pfs;
  const userOnB = USERS.find((u) => home.get(u) === b.name);
  assert.ok(userOnB, 'some user lives on B');
  const login = await consoleLogin(a.httpUrl, cluster.admin.username, cluster.admin.password);
  const socket: Socket = connectIo(a.httpUrl, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: { cookie: login.cookie } });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('decisions:replayed', () => resolve());
      socket.once('connect_error', reject);
      socket.emit('decisions:resume', { afterSeq: 0, tail: true, limit: 10 });
    });
    const seen = new Promise<DecisionRecord>((resolve) => {
      socket.on('decision:made', (d: DecisionRecord) => {
        if (d.messageId === `${userOnB}-live` && d.procedure === 'IMDN-RX') resolve(d);
      });
    });
    assert.equal(await notify(userOnB!, `${userOnB}-live`), 200);
    const d = await seen;
    assert.equal(d.instance, b.name, 'made on B, shown on A');
    assert.equal(d.servedUser, `sip:${userOnB}@example.com`);
  } finally {
    socket.close();
  }
});

test('issue 19: killing instance B moves its users to A and loses no acknowledged notification', async () => {
  const [a, b] = cluster.pfs;
  await b.kill('SIGKILL');
  const before = client.requests.length;
  const sent = USERS.map((u): [string, string] => [u, `${u}-after`]);
  const statuses = await Promise.all(sent.map(([u, id]) => notify(u, id)));
  // acknowledged = 2xx: 200 forwarded to the client, 202 kept for it as a deferred item (D-231:
  // A learns B's registrations when the clients register again)
  assert.deepEqual(statuses.filter((s) => s !== 200 && s !== 202), [], 'every notification acknowledged after the failover');
  const forwarded = new Set(client.requests.slice(before).filter((m) => m.startLine.startsWith('MESSAGE')).map(messageIdOf));
  const deferred = await deferredIds(sent.map(([, id]) => id));
  for (const [i, [u, id]] of sent.entries()) {
    if (statuses[i] === 200) assert.ok(forwarded.has(id), `${id} acknowledged 200 and forwarded`);
    else assert.ok(deferred.has(id), `${id} acknowledged 202 and kept for ${u}`);
  }
  const made = await decisionInstances(sent.map(([, id]) => id));
  for (const [u, id] of sent) assert.deepEqual([...(made.get(id) ?? [])], [a.name], `${u} (home ${home.get(u)}) now served by ${a.name}`);

  // B's users register again (their clients refresh) and are then served on A like A's own
  const moved = USERS.filter((u) => home.get(u) === b.name);
  for (const u of moved) assert.equal(await client.register(cluster.kamailio.port, u), 200, `REGISTER ${u} again`);
  const again = await Promise.all(moved.map((u) => notify(u, `${u}-moved`)));
  assert.ok(again.every((s) => s === 200), `forwarded once registered on A: ${again.join(',')}`);
});
