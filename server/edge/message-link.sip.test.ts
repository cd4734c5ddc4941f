// D-341: the edge's side of the MESSAGE link, over real UDP sockets. A MESSAGE outside a dialog
// reaches the link's port as its text and source, and the answer posted back reaches the sender
// as a response of its own transaction; any other request goes to the control protocol (no app
// here: 503). A MESSAGE posted to be sent goes out with its headers and body, and its final
// status comes back with the responder's User-Agent; one with no destination or with a body and
// no type comes back as a 503 without being sent.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { MessagePort } from 'node:worker_threads';
import { headerOf, rawPeer, type RawMessage, type RawPeer } from '../../e2e/support/raw-sip';
import { freePort } from '../../e2e/support/ports';
import { startEdge, type Edge } from './index';
import type { FromMessageEdge, ToMessageEdge } from './message-link';

const open: Array<{ close(): Promise<void> | void }> = [];
after(async () => {
  for (const o of open.reverse()) await o.close();
});

async function edgeWithLink(): Promise<{ edge: Edge; port: MessagePort; inbox: FromMessageEdge[]; next(): Promise<FromMessageEdge> }> {
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: await freePort(), secret: 's' }, timers: { t1Ms: 50 } });
  open.push(edge);
  const port = edge.messageLink();
  const inbox: FromMessageEdge[] = [];
  let wake: (() => void) | undefined;
  // the edge posts what a turn produced as one array (D-342)
  port.on('message', (batch: FromMessageEdge[]) => {
    inbox.push(...batch);
    wake?.();
  });
  return {
    edge,
    port,
    inbox,
    async next() {
      const deadline = Date.now() + 5000;
      while (!inbox.length) {
        if (Date.now() > deadline) throw new Error('nothing came over the MESSAGE link within 5 s');
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return inbox.shift()!;
    },
  };
}

async function peer(): Promise<RawPeer> {
  const p = await rawPeer();
  open.push(p);
  return p;
}

const statusOf = (m: RawMessage | undefined) => (m ? Number(m.startLine.split(' ')[1]) : 0);

test('D-341: a MESSAGE outside a dialog crosses the link as its text and source, and the answer posted back is its response', async () => {
  const { edge, port, next } = await edgeWithLink();
  const sender = await peer();
  const answered = sender.request(edge.sipAddress.port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: ['Content-Type: text/plain'], body: Buffer.from('hi') });
  const got = await next();
  assert.equal(got.t, 'req');
  if (got.t !== 'req') return;
  assert.match(got.raw, /^MESSAGE sip:alice@example\.com SIP\/2\.0\r\n/);
  assert.match(got.raw, /\r\n\r\nhi$/);
  assert.match(got.raw, new RegExp(`Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${sender.port};[^\\r]*rport=${sender.port}`), 'the Via as the edge stamps it');
  assert.deepEqual([got.proto, got.host, got.port], ['udp', '127.0.0.1', sender.port]);
  port.postMessage([{ t: 'res', id: got.id, status: 202, headers: { 'x-note': 'queued' } } satisfies ToMessageEdge]);
  const res = await answered;
  assert.equal(statusOf(res), 202);
  assert.equal(res!.startLine, 'SIP/2.0 202 Accepted', 'the reason phrase filled in');
  assert.equal(headerOf(res!, 'X-Note'), 'queued', 'the header as written, its name capitalised');
  assert.match(headerOf(res!, 'To') ?? '', /;tag=/, 'a To tag of the transaction');
  assert.equal(edge.stats().appPending, 0, 'answered: no longer pending for the overload control');
});

test('D-341: requests of other methods are not taken by the link: they go to the control protocol (no app connected: 503)', async () => {
  const { edge, inbox } = await edgeWithLink();
  const sender = await peer();
  for (const method of ['OPTIONS', 'INVITE', 'SUBSCRIBE']) {
    const res = await sender.request(edge.sipAddress.port, { method, uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: method === 'SUBSCRIBE' ? ['Event: conference'] : [] });
    assert.equal(statusOf(res), 503, method);
  }
  assert.deepEqual(inbox, []);
});

test('D-341: a MESSAGE posted to the link is sent with its headers and body, and its final status comes back with the User-Agent', async () => {
  const { port, next } = await edgeWithLink();
  const uas = await peer();
  uas.answer = () => 200;
  port.postMessage([{ t: 'send', id: 7, uri: `sip:alice@127.0.0.1:${uas.port}`, method: 'MESSAGE', headers: { From: '<sip:bob@example.com>', 'content-type': 'message/cpim', 'conversation-id': 'c1' }, body: 'caf\u00e9' } satisfies ToMessageEdge]);
  const [got] = await uas.waitForRequests(1);
  assert.equal(got.startLine, `MESSAGE sip:alice@127.0.0.1:${uas.port} SIP/2.0`);
  assert.equal(headerOf(got, 'Content-Type'), 'message/cpim');
  assert.equal(headerOf(got, 'Conversation-Id'), 'c1');
  assert.match(headerOf(got, 'From') ?? '', /^<sip:bob@example\.com>;tag=/);
  assert.deepEqual([...got.body], [0x63, 0x61, 0x66, 0xe9], 'the body as bytes, one per character');
  const final = await next();
  assert.deepEqual(final.t === 'final' ? [final.id, final.status] : final, [7, 200]);
});

test('D-341: a MESSAGE with no destination, or a body and no Content-Type, comes back 503 unsent', async () => {
  const { port, next } = await edgeWithLink();
  port.postMessage([{ t: 'send', id: 1, uri: 'tel:+123', method: 'MESSAGE', headers: { 'Content-Type': 'text/plain' }, body: 'x' } satisfies ToMessageEdge]);
  const a = await next();
  assert.deepEqual(a.t === 'final' ? [a.id, a.status] : a, [1, 503]);
  port.postMessage([{ t: 'send', id: 2, uri: 'sip:alice@127.0.0.1:9', method: 'MESSAGE', headers: {}, body: 'x' } satisfies ToMessageEdge]);
  const b = await next();
  assert.deepEqual(b.t === 'final' ? [b.id, b.status, b.reason] : b, [2, 503, 'Not sent: missing content-type']);
});

test('D-345: a request the PF sent a MESSAGE for waits on that next hop, not on the PF, until the MESSAGE is answered', async () => {
  const { edge, port, next } = await edgeWithLink();
  const sender = await peer();
  const uas = await peer();
  uas.answer = () => 100; // silent until the test says: only a provisional
  const answered = sender.request(edge.sipAddress.port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: ['Content-Type: text/plain'], body: Buffer.from('hi') });
  const got = await next();
  assert.equal(got.t, 'req');
  const counts = () => [edge.stats().appPending, edge.stats().appWaiting];
  assert.deepEqual(counts(), [1, 0], 'handed to the PF: its backlog');
  // another MESSAGE sent meanwhile, for no request: it moves nothing
  port.postMessage([{ t: 'send', id: 1, uri: 'tel:+123', method: 'MESSAGE', headers: {} } satisfies ToMessageEdge]);
  assert.equal((await next()).t, 'final');
  assert.deepEqual(counts(), [1, 0]);
  port.postMessage([{ t: 'send', id: 2, for: got.id, uri: `sip:alice@127.0.0.1:${uas.port}`, method: 'MESSAGE', headers: { 'Content-Type': 'text/plain' }, body: 'hi' } satisfies ToMessageEdge]);
  await uas.waitForRequests(1);
  assert.deepEqual(counts(), [0, 1], 'sent on: waiting on the next hop');
  uas.answer = () => 200; // the next retransmission is answered
  const final = await next();
  assert.deepEqual(final.t === 'final' ? [final.id, final.status] : final, [2, 200]);
  assert.deepEqual(counts(), [1, 0], 'its answer came: the PF has work on it again');
  port.postMessage([{ t: 'res', id: got.id, status: 200 } satisfies ToMessageEdge]);
  assert.equal(statusOf(await answered), 200);
  assert.deepEqual(counts(), [0, 0], 'answered: counted nowhere');
});
