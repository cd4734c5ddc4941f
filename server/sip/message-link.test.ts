// D-341: the PF's side of the MESSAGE link, with the edge's end of a real MessageChannel played by
// the test. A request runs through the chain in order with srf's request and response shapes; the
// answer goes back in each of srf's `send` forms; a handler that throws gets a 500; before the
// handlers are installed a MESSAGE gets 503. Sent MESSAGEs cross the link and other methods go to
// srf; a final status reaches the sender's listeners once.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { FromMessageEdge, ToMessageEdge } from '../edge/message-link';
import { logger } from '../log';
import { MessageLink } from './message-link';
import { viewOfRequest } from './message-view';
import type { Handler, RequestSender, SrfResponseIn } from './srf-types';

const RAW = ['MESSAGE sip:alice@example.com SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK1', 'From: <sip:bob@example.com>;tag=b', 'To: <sip:alice@example.com>', 'Call-ID: c1', 'CSeq: 1 MESSAGE', 'Content-Type: text/plain', 'Content-Length: 2', '', 'hi'].join('\r\n');

function link(others: RequestSender = { request: () => assert.fail('sent to srf') }): { link: MessageLink; edge: MessagePort; next(): Promise<ToMessageEdge>; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const l = new MessageLink(port1, others, logger('test'));
  const inbox: ToMessageEdge[] = [];
  const waiters: Array<() => void> = [];
  // the PF posts what a turn produced as one array (D-342)
  port2.on('message', (batch: ToMessageEdge[]) => {
    inbox.push(...batch);
    while (waiters.length) waiters.shift()!();
  });
  return {
    link: l,
    edge: port2,
    next: async () => {
      while (!inbox.length) await new Promise<void>((r) => waiters.push(r));
      return inbox.shift()!;
    },
    close: () => {
      l.close();
      port2.close();
    },
  };
}

const request = (id: number): FromMessageEdge => ({ t: 'req', id, raw: RAW, proto: 'udp', host: '10.0.0.9', port: 5070 });

test('D-341: a MESSAGE runs through the chain in order, with srf-shaped request fields, and its answer crosses back', async () => {
  const t = link();
  const seen: string[] = [];
  const first: Handler = (req, _res, next) => {
    seen.push(`first ${req.method} ${req.uri} ${req.get('Call-ID')} ${req.protocol}/${req.source_address}:${req.source_port} ${req.body}`);
    next();
  };
  const last: Handler = (req, res) => {
    seen.push(`last ${req.get('from')} ${req.has('Max-Forwards')} ${viewOfRequest(req).headers['cseq']}`);
    res.send(202, 'Accepted', { headers: { 'Retry-After': '1' } });
  };
  t.link.serve([first, last]);
  t.edge.postMessage([request(1)]);
  assert.deepEqual(await t.next(), { t: 'res', id: 1, status: 202, reason: 'Accepted', headers: { 'Retry-After': '1' } });
  assert.deepEqual(seen, ['first MESSAGE sip:alice@example.com c1 udp/10.0.0.9:5070 hi', 'last <sip:bob@example.com>;tag=b false 1 MESSAGE']);
  t.close();
});

test("D-341: srf's send forms: status alone, status and options, and a second final answer refused", async () => {
  const t = link();
  const results: Array<Error | null> = [];
  t.link.serve([
    (req, res) => {
      if (req.get('Call-ID') !== 'c1') return;
      res.send(100);
      res.send(480, { headers: { 'X-A': 'b' } }, (err) => results.push(err));
      res.send(200, 'OK', {}, (err) => results.push(err));
    },
  ]);
  t.edge.postMessage([request(4)]);
  assert.deepEqual(await t.next(), { t: 'res', id: 4, status: 100 });
  assert.deepEqual(await t.next(), { t: 'res', id: 4, status: 480, headers: { 'X-A': 'b' } });
  assert.equal(results[0], null);
  assert.match(String(results[1]), /sent already/);
  t.close();
});

test('D-341: a handler that throws gets 500; before the handlers are installed a MESSAGE gets 503', async () => {
  const t = link();
  t.edge.postMessage([request(1)]);
  assert.deepEqual(await t.next(), { t: 'res', id: 1, status: 503, reason: 'Service Unavailable' });
  t.link.serve([
    () => {
      throw new Error('a bug');
    },
  ]);
  t.edge.postMessage([request(2)]);
  assert.deepEqual(await t.next(), { t: 'res', id: 2, status: 500 });
  t.close();
});

test('D-341: MESSAGEs the PF sends cross the link and their final status reaches the listener once; other methods go to srf', async () => {
  const toSrf: string[] = [];
  const t = link({ request: (uri, opts) => void toSrf.push(`${opts.method} ${uri}`) });
  const finals: SrfResponseIn[] = [];
  t.link.request('sip:alice@10.0.0.9:5070', { method: 'MESSAGE', headers: { 'Content-Type': 'text/plain' }, body: 'hi', proxy: 'sip:core.example.com' }, (err, req) => {
    assert.equal(err, null);
    req.on('response', (res) => finals.push(res));
  });
  const sent = await t.next();
  assert.deepEqual(sent, { t: 'send', id: 1, uri: 'sip:alice@10.0.0.9:5070', method: 'MESSAGE', headers: { 'Content-Type': 'text/plain' }, body: 'hi', proxy: 'sip:core.example.com' });
  t.edge.postMessage([{ t: 'final', id: 1, status: 200, reason: 'OK', userAgent: 'phone/1' } satisfies FromMessageEdge]);
  t.edge.postMessage([{ t: 'final', id: 1, status: 200, reason: 'OK' } satisfies FromMessageEdge]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(finals.map((f) => [f.status, f.reason, f.get('User-Agent'), f.get('Server')]), [[200, 'OK', 'phone/1', undefined]]);
  t.link.request('sip:alice@10.0.0.9', { method: 'NOTIFY' }, () => {});
  assert.deepEqual(toSrf, ['NOTIFY sip:alice@10.0.0.9']);
  t.close();
});

test('D-345: a MESSAGE a handler sends, at once or after an await, is sent for the request it handles; one sent outside any is not', async () => {
  const t = link();
  const send = (uri: string) => t.link.request(uri, { method: 'MESSAGE', headers: {} }, () => {});
  const forward: Handler = (_req, res) => {
    send('sip:first@10.0.0.9');
    void Promise.resolve()
      .then(() => new Promise((r) => setTimeout(r, 5)))
      .then(() => {
        send('sip:later@10.0.0.9');
        res.send(200);
      });
  };
  t.link.serve([forward]);
  t.edge.postMessage([request(41)]);
  const got = [await t.next(), await t.next(), await t.next()];
  send('sip:outside@10.0.0.9');
  got.push(await t.next());
  assert.deepEqual(
    got.map((m) => (m.t === 'send' ? `send ${m.uri} for ${m.for}` : `res ${m.id} ${m.status}`)),
    ['send sip:first@10.0.0.9 for 41', 'send sip:later@10.0.0.9 for 41', 'res 41 200', 'send sip:outside@10.0.0.9 for undefined'],
  );
  t.close();
});

test("D-341: srf's middleware is installed in one place, pf.ts's `use`, which gives the MESSAGE link the same list", () => {
  const calls: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\bsrf\.use\(/g)) calls.push(`${path.relative('server', p)}@${m.index}`);
    }
  };
  walk('server');
  assert.equal(calls.length, 1, `srf.use called in ${calls.join(', ')}`);
  assert.match(calls[0], /^pf\.ts@/);
  assert.match(readFileSync('server/pf.ts', 'utf8'), /const use = \(h: Handler\) => \{\s*middleware\.push\(h\);\s*srf\.use\(h\);/);
});
