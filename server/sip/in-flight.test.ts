// D-345: what InFlight counts for the overload control behind an external drachtio-server. The
// sender underneath is a fake (this is the shell's bookkeeping, not SIP): the real one is exercised
// over SIP in e2e/faults/overload-next-hop.sip.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { InFlight } from './in-flight';
import type { RequestSender, SentRequest } from './srf-types';

function fakeSender(): { sender: RequestSender; sent: Array<{ method: string; answer(status: number): void }> } {
  const sent: Array<{ method: string; answer(status: number): void }> = [];
  return {
    sent,
    sender: {
      request: (_uri, opts, cb) => {
        const e = new EventEmitter();
        sent.push({ method: opts.method, answer: (status) => e.emit('response', { status, reason: '', headers: {}, get: () => undefined, msg: {} }) });
        cb(null, e as unknown as SentRequest);
      },
    },
  };
}

const counts = (f: InFlight) => ({ size: f.size, pending: f.pending, waiting: f.waiting });
const tick = () => new Promise((r) => setImmediate(r));

test('D-345 InFlight: a MESSAGE sent during a request\'s work makes it waiting, past the end of the work, until a final answer', async () => {
  const f = new InFlight(true);
  const { sender, sent } = fakeSender();
  const s = f.sendingFor(sender);
  let endWork!: () => void;
  const work = f.track(async () => {
    await tick();
    s.request('sip:a@x', { method: 'MESSAGE' }, () => {});
    await new Promise<void>((r) => (endWork = r));
  });
  await tick();
  await tick();
  assert.deepEqual(counts(f), { size: 1, pending: 0, waiting: 1 }, 'sent after an await: waiting, not pending');
  sent[0].answer(180);
  assert.deepEqual(counts(f), { size: 1, pending: 0, waiting: 1 }, 'a provisional answer is not the end');
  endWork();
  await work;
  assert.deepEqual(counts(f), { size: 0, pending: 0, waiting: 1 }, 'the handler is done; the request still waits on its MESSAGE');
  sent[0].answer(200);
  sent[0].answer(200);
  assert.deepEqual(counts(f), { size: 0, pending: 0, waiting: 0 });
});

test('D-345 InFlight: MESSAGEs sent outside any tracked work, and other methods, are not counted; two for one request count it once', async () => {
  const f = new InFlight(true);
  const { sender, sent } = fakeSender();
  const s = f.sendingFor(sender);
  s.request('sip:a@x', { method: 'MESSAGE' }, () => {});
  const work = f.track(async () => {
    s.request('sip:a@x', { method: 'NOTIFY' }, () => {});
    s.request('sip:a@x', { method: 'MESSAGE' }, () => {});
    s.request('sip:b@x', { method: 'MESSAGE' }, () => {});
  });
  await work;
  assert.deepEqual(counts(f), { size: 0, pending: 0, waiting: 1 });
  sent[2].answer(408);
  assert.equal(f.waiting, 1, 'one of its two MESSAGEs is still unanswered');
  sent[3].answer(200);
  assert.equal(f.waiting, 0);
  assert.equal(sent.length, 4, 'everything was sent');
});

test('D-345 InFlight: a MESSAGE whose answer never comes stops counting after the deadline', async () => {
  const f = new InFlight(true);
  const { sender } = fakeSender();
  const s = f.sendingFor(sender, 20);
  await f.track(async () => s.request('sip:a@x', { method: 'MESSAGE' }, () => {}));
  assert.equal(f.waiting, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(f.waiting, 0);
});

test('D-345 InFlight: without sendsFor (the embedded edge counts for itself) nothing it sends is counted', async () => {
  const f = new InFlight();
  const { sender } = fakeSender();
  const s = f.sendingFor(sender);
  let endWork!: () => void;
  const work = f.track(async () => {
    s.request('sip:a@x', { method: 'MESSAGE' }, () => {});
    await new Promise<void>((r) => (endWork = r));
  });
  assert.deepEqual(counts(f), { size: 1, pending: 1, waiting: 0 });
  endWork();
  await work;
  assert.deepEqual(counts(f), { size: 0, pending: 0, waiting: 0 });
});
