// Two MSRP test peers talking through the PF's MSRP shell over real TCP sockets on 127.0.0.1:
// text and random binary bodies, chunked messages, Success-Report / Failure-Report, REPORT relay,
// the size limit (413), a malformed frame (400, connection kept), garbage (connection closed,
// other sessions undisturbed), a peer dropping its connection, the PF connecting out, release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { MsrpListener, type MsrpListenerOptions, type MsrpTrace } from './listener';
import type { WholeMessage } from './reassembly';
import { MsrpPeer, until } from '../../e2e/support/msrp-peer';
import type { MsrpRequest } from './message';

interface World {
  pf: MsrpListener;
  a: MsrpPeer;
  b: MsrpPeer;
  wholes: Array<{ sessionId: string; leg: string; m: WholeMessage; relayed: boolean }>;
  traces: MsrpTrace[];
  lost: string[];
}

/** A fresh listener and two peers in session `s1`; A and B both connect to the PF (the PF passive). */
async function withWorld(fn: (w: World) => Promise<void>, o: { limits?: MsrpListenerOptions['limits']; pfConnectsToB?: boolean } = {}): Promise<void> {
  const wholes: World['wholes'] = [];
  const traces: MsrpTrace[] = [];
  const lost: string[] = [];
  const pf = await MsrpListener.start({
    host: '127.0.0.1', port: 0, limits: { tickMs: 20, ...o.limits },
    onWhole: (sessionId, leg, m, relayed) => wholes.push({ sessionId, leg, m, relayed }),
    onTrace: (t) => traces.push(t),
    onLegDisconnected: (s, leg, reason) => lost.push(`${s}/${leg}: ${reason}`),
  });
  const a = await MsrpPeer.start('alice');
  const b = await MsrpPeer.start('bob');
  try {
    const h = pf.createSession('s1', [{ id: 'a', remotePath: [a.path] }, { id: 'b', remotePath: [b.path] }]);
    a.remotePath = [h.localUri('a')];
    b.remotePath = [h.localUri('b')];
    assert.equal((await a.connect()).code, 200);
    if (o.pfConnectsToB) {
      h.connect('b');
      await b.accepted();
    } else {
      assert.equal((await b.connect()).code, 200);
    }
    await fn({ pf, a, b, wholes, traces, lost });
  } finally {
    await a.close();
    await b.close();
    await pf.close();
  }
}

test('a text message each way: delivered, 200 mapped back, whole messages handed to the PF', async () => {
  await withWorld(async ({ a, b, wholes, traces }) => {
    const m1 = a.send(Buffer.from('Hello Bob, are you there? ✓'));
    assert.equal((await a.response(m1.tids[0])).code, 200);
    const got = await b.whole(m1.messageId);
    assert.equal(got.body.toString(), 'Hello Bob, are you there? ✓');
    const fwd = b.requests().find((r) => r.messageId === m1.messageId)!;
    assert.deepEqual([fwd.toPath, fwd.fromPath], [[b.path], b.remotePath]);
    const m2 = b.send(Buffer.from('Yes'), { contentType: 'message/cpim' });
    assert.equal((await b.response(m2.tids[0])).code, 200);
    assert.equal((await a.whole(m2.messageId)).contentType, 'message/cpim');
    await until(() => wholes.length === 2, 'two whole messages');
    assert.deepEqual(wholes.map((w) => [w.sessionId, w.leg, w.m.body.toString(), w.relayed]), [['s1', 'a', 'Hello Bob, are you there? ✓', true], ['s1', 'b', 'Yes', true]]);
    assert.ok(traces.some((t) => t.dir === 'in' && t.method === 'SEND' && t.leg === 'a' && t.messageId === m1.messageId));
    assert.ok(traces.some((t) => t.dir === 'out' && t.code === 200 && t.leg === 'a'));
  });
});

test('random binary bodies, whole and chunked (chunks written out of order): identical bytes and chunk boundaries', async () => {
  await withWorld(async ({ a, b }) => {
    for (const [size, chunk, order] of [[1, undefined, undefined], [5000, undefined, undefined], [70_000, 2048, undefined], [9000, 1000, [3, 0, 8, 1, 2, 7, 4, 5, 6]]] as const) {
      const body = randomBytes(size);
      // make sure the framing's own bytes occur in the body
      body.write('\r\n-------', Math.floor(size / 2), 'latin1');
      const sent = a.send(body, { chunkSize: chunk, contentType: 'application/octet-stream', order: order as number[] | undefined });
      for (const t of sent.tids) assert.equal((await a.response(t)).code, 200);
      const w = await b.whole(sent.messageId);
      assert.ok(w.body.equals(body), `body of ${size} bytes`);
      const chunks = b.requests().filter((r) => r.messageId === sent.messageId);
      assert.equal(chunks.length, sent.tids.length);
      const ranges = chunks.map((c) => `${c.byteRange!.start}-${c.byteRange!.end}/${c.byteRange!.total}${c.continuation}`);
      const expected = sent.tids.map((_, i) => {
        const s = i * (chunk ?? size) + 1;
        const e = Math.min(size, s + (chunk ?? size) - 1);
        return `${s}-${e}/${size}${e === size ? '$' : '+'}`;
      });
      assert.deepEqual(ranges, (order as number[] | undefined)?.map((i) => expected[i]) ?? expected);
    }
  });
});

test('Success-Report: the REPORT comes back to the sender; Failure-Report no / partial: no 200', async () => {
  await withWorld(async ({ a, b }) => {
    const m = a.send(Buffer.from('report please'), { successReport: 'yes' });
    await a.waitFor(() => a.requests('REPORT').some((r) => r.messageId === m.messageId), 'a REPORT');
    const rep = a.requests('REPORT').find((r) => r.messageId === m.messageId)!;
    assert.deepEqual([rep.status!.code, rep.toPath, rep.fromPath, rep.byteRange], [200, [a.path], a.remotePath, { start: 1, end: 13, total: 13 }]);
    const no = a.send(Buffer.from('no reports'), { failureReport: 'no' });
    const partial = a.send(Buffer.from('partial'), { failureReport: 'partial' });
    await b.whole(no.messageId);
    await b.whole(partial.messageId);
    const probe = a.send(Buffer.from('probe'));
    await a.response(probe.tids[0]);
    assert.ok(!a.responses.has(no.tids[0]) && !a.responses.has(partial.tids[0]));
    // an error from B reaches A with 'partial'
    b.answer = () => 415;
    const bad = a.send(Buffer.from('<unwanted/>'), { failureReport: 'partial', contentType: 'application/x-unwanted' });
    assert.equal((await a.response(bad.tids[0])).code, 415);
  });
});

test('size limits: a message past the cap is 413 and the connection stays usable; an oversized chunk too', async () => {
  await withWorld(async ({ a, b, pf }) => {
    // the size said up front: refused at the first chunk, nothing reaches B
    const said = a.send(randomBytes(40_000), { chunkSize: 10_000 });
    assert.deepEqual(await Promise.all(said.tids.map((t) => a.response(t).then((r) => r.code))), [413, 413, 413, 413]);
    // the size not said: refused when the bytes pass the cap
    const big = a.send(randomBytes(40_000), { chunkSize: 10_000, totalUnknown: true });
    const codes = await Promise.all(big.tids.map((t) => a.response(t).then((r) => r.code)));
    assert.deepEqual(codes, [200, 200, 413, 413]);
    assert.ok(!b.requests().some((r) => r.messageId === said.messageId));
    // B saw the first chunks, then the PF's '#'
    await b.waitFor(() => b.requests().some((r) => r.messageId === big.messageId && r.continuation === '#'), "the PF's abort");
    assert.ok(!b.wholes.some((w) => w.messageId === big.messageId));
    const huge = a.send(randomBytes(70_000));
    assert.equal((await a.response(huge.tids[0])).code, 413);
    const ok = a.send(Buffer.from('still here'));
    assert.equal((await a.response(ok.tids[0])).code, 200);
    assert.equal((await b.whole(ok.messageId)).body.toString(), 'still here');
    assert.equal(pf.stats().connections, 2);
  }, { limits: { parser: { maxBodyBytes: 65_536 }, reassembly: { maxMessageBytes: 25_000 } } });
});

test('a malformed frame gets 400 and the connection is kept; garbage closes only that connection', async () => {
  await withWorld(async ({ a, b, pf }) => {
    a.writeRaw(`MSRP bad00001 SEND\r\nTo-Path: ${a.remotePath[0]}\r\nFrom-Path: ${a.path}\r\nMessage-ID: m9999\r\nByte-Range: nonsense\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------bad00001$\r\n`);
    assert.equal((await a.response('bad00001')).code, 400);
    const ok = a.send(Buffer.from('after the bad one'));
    assert.equal((await a.response(ok.tids[0])).code, 200);
    // a stranger sends garbage: closed; A and B carry on
    const s = net.connect(pf.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let closed = false;
    s.on('close', () => (closed = true));
    s.on('error', () => {});
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => closed, 'the garbage connection closed');
    const again = b.send(Buffer.from('undisturbed'));
    assert.equal((await b.response(again.tids[0])).code, 200);
    assert.equal(pf.stats().refused.unframeable, 1);
  });
});

test('a connection naming an unknown session gets 481 and is closed', async () => {
  await withWorld(async ({ pf }) => {
    const stranger = await MsrpPeer.start('stranger');
    try {
      stranger.remotePath = [`msrp://127.0.0.1:${pf.port}/nosuchsession;tcp`];
      assert.equal((await stranger.connect()).code, 481);
      await until(() => stranger.closed, 'the stranger closed');
    } finally { await stranger.close(); }
  });
});

test('a peer dropping its connection: the PF is told, pending SENDs get 408, later ones 481', async () => {
  await withWorld(async ({ a, b, lost }) => {
    b.answer = () => undefined; // B never answers
    const m = a.send(Buffer.from('into the void'));
    await b.waitFor(() => b.requests().some((r) => r.messageId === m.messageId), 'the SEND');
    b.drop();
    assert.equal((await a.response(m.tids[0])).code, 408);
    await until(() => lost.length === 1, 'onLegDisconnected');
    assert.match(lost[0], /^s1\/b: /);
    const later = a.send(Buffer.from('later'));
    assert.equal((await a.response(later.tids[0])).code, 481);
  });
});

test('no answer within the transaction timeout: 408', async () => {
  await withWorld(async ({ a, b }) => {
    b.answer = () => undefined;
    const m = a.send(Buffer.from('slow'));
    assert.equal((await a.response(m.tids[0], 3000)).code, 408);
  }, { limits: { transactionTimeoutMs: 300 } });
});

test('the PF connects out to a passive peer and binds with a bodiless SEND; release closes that connection', async () => {
  await withWorld(async ({ a, b, pf }) => {
    await b.waitFor(() => b.requests().some((r) => r.body === undefined), 'the binding SEND');
    const m = a.send(Buffer.from('over the PF-opened connection'));
    assert.equal((await a.response(m.tids[0])).code, 200);
    assert.equal((await b.whole(m.messageId)).body.toString(), 'over the PF-opened connection');
    const back = b.send(Buffer.from('and back'));
    assert.equal((await b.response(back.tids[0])).code, 200);
    await a.whole(back.messageId);
    // the session ends: every leg released
    pf.closeSession('s1');
    await until(() => a.closed && b.closed, 'both connections closed');
    assert.equal(pf.stats().sessions, 0);
  }, { pfConnectsToB: true });
});

test('two sessions on one listener stay apart; releasing one leg closes only its connection', async () => {
  await withWorld(async ({ pf, a, b, wholes }) => {
    const c = await MsrpPeer.start('carol');
    const d = await MsrpPeer.start('dave');
    try {
      const h2 = pf.createSession('s2', [{ id: 'c', remotePath: [c.path] }, { id: 'd', remotePath: [d.path] }]);
      c.remotePath = [h2.localUri('c')];
      d.remotePath = [h2.localUri('d')];
      await c.connect();
      await d.connect();
      const m1 = a.send(Buffer.from('for bob'));
      const m2 = c.send(Buffer.from('for dave'));
      await b.whole(m1.messageId);
      await d.whole(m2.messageId);
      assert.ok(!d.wholes.some((w) => w.messageId === m1.messageId) && !b.wholes.some((w) => w.messageId === m2.messageId));
      // C tries to reach session s1's leg over its own connection: that leg is bound elsewhere
      const cross: MsrpRequest = { kind: 'request', tid: 'cross0001', method: 'SEND', toPath: a.remotePath, fromPath: [c.path], headers: [], messageId: 'cross1234', contentType: 'text/plain', body: Buffer.from('x'), continuation: '$' };
      c.write(cross);
      assert.equal((await c.response('cross0001')).code, 506);
      h2.release('d');
      await until(() => d.closed, "D's connection closed");
      assert.ok(!a.closed && !b.closed && !c.closed);
      const after = c.send(Buffer.from('to a released leg'));
      assert.equal((await c.response(after.tids[0])).code, 481);
      assert.deepEqual(wholes.map((w) => w.sessionId).sort(), ['s1', 's2']);
    } finally {
      await c.close();
      await d.close();
    }
  });
});

test('limits: a connection that names no session in time, and an idle one, are closed', async () => {
  await withWorld(async ({ pf, a, lost }) => {
    const s = net.connect(pf.port, '127.0.0.1');
    let closed = false;
    s.on('close', () => (closed = true));
    s.on('error', () => {});
    await until(() => closed, 'the silent connection closed', 3000);
    assert.equal(pf.stats().refused['bind-timeout'], 1);
    // A and B say nothing for idleTimeoutMs: closed, and the PF is told
    await until(() => a.closed, "A's idle connection closed", 3000);
    await until(() => lost.length === 2, 'both legs lost', 3000);
  }, { limits: { bindTimeoutMs: 200, idleTimeoutMs: 600 } });
});
