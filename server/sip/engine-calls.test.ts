// The recording seam: what it hands the recorder, and that the engine's answer is the same with or
// without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineByValue, parseBatch, type VersionDefinition } from '../engine/replay/tape';
import { checkReplay } from '../engine/replay/replay';
import { directEngine, recordingEngine } from './engine-calls';

function sink() {
  const lines: string[] = [];
  const ids = new Map<object, string>();
  return {
    lines,
    add: (line: string) => void lines.push(line),
    version: (v: object, define: VersionDefinition = defineByValue) => {
      let id = ids.get(v);
      if (!id) {
        ids.set(v, (id = String(ids.size)));
        lines.push(define(id, v));
      }
      return id;
    },
  };
}

test('REPLAY-EQ, D-244: a body check that decided nothing is not recorded; one that refused the body is, and replays', () => {
  const s = sink();
  const engine = recordingEngine(s, () => 1_000);
  const quiet = engine.call('checkBody', { inspection: { ok: true, text: 'hello' }, servedUser: 'sip:a@x', callId: 'c1' });
  assert.deepEqual(quiet, directEngine.call('checkBody', { inspection: { ok: true, text: 'hello' }, servedUser: 'sip:a@x', callId: 'c1' }));
  assert.equal(s.lines.length, 0);
  const refused = engine.call('checkBody', { inspection: { ok: false, code: 413, encoding: 'gzip', why: 'too large inflated' }, servedUser: 'sip:a@x', callId: 'c2' });
  assert.equal(refused.reject?.code, 413);
  const calls = parseBatch(s.lines);
  assert.deepEqual(calls.map((c) => [c.p, c.at, c.d.map((d) => d[1])]), [['checkBody', 1_000, refused.decisions.map((d) => d.outcome)]]);
  assert.deepEqual(checkReplay(calls).mismatches, []);
});

test('REPLAY-EQ: a call whose arguments cannot be written down still runs, and the loss is reported', () => {
  const lost: string[] = [];
  const engine = recordingEngine({ add: () => {}, version: () => 'v' }, () => 0, (_e, p) => lost.push(p));
  const cyclic: Record<string, unknown> = { ok: true, text: 'x' };
  cyclic.self = cyclic;
  const r = engine.call('checkBody', { inspection: { ok: false, code: 400, encoding: 'gzip', why: 'corrupt' }, servedUser: 'sip:a@x', callId: cyclic as never });
  assert.equal(r.reject?.code, 400);
  assert.deepEqual(lost, ['checkBody']);
});

test('REPLAY-EQ: the native fingerprint digest the recorder uses is the pure one replay checks, for any text', async () => {
  const fc = (await import('fast-check')).default;
  const { fingerprintHash } = await import('../engine/replay/tape');
  const { nativeFingerprintHash } = await import('./engine-calls');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ minLength: 50, maxLength: 200 })), (text) => {
      assert.equal(nativeFingerprintHash(text), fingerprintHash(text));
    }),
    { numRuns: 500 },
  );
  // lone surrogates: both encode them as U+FFFD
  assert.equal(nativeFingerprintHash('a\ud800b'), fingerprintHash('a\ud800b'));
  assert.equal(fingerprintHash('abc').length, 12);
});

test('REPLAY-EQ: a line recorded with the older cyrb53 fingerprint still replays equal, and a changed one does not', async () => {
  const { hash53 } = await import('../engine/replay/hash');
  const s = sink();
  const engine = recordingEngine(s, () => 1_000);
  engine.call('checkBody', { inspection: { ok: false, code: 413, encoding: 'gzip', why: 'too large inflated' }, servedUser: 'sip:a@x', callId: 'c2' });
  const [call] = parseBatch(s.lines);
  const result = directEngine.call('checkBody', { inspection: { ok: false, code: 413, encoding: 'gzip', why: 'too large inflated' }, servedUser: 'sip:a@x', callId: 'c2' });
  const old = { ...call, h: hash53(JSON.stringify([(result as { effects?: unknown[] }).effects ?? [], result.decisions])) };
  assert.ok(old.h.length <= 11);
  assert.deepEqual(checkReplay([old]).mismatches, []);
  assert.equal(checkReplay([{ ...old, h: hash53('something else') }]).mismatches.length, 1);
});

test('REPLAY-EQ, D-275, D-276: a notification part is written once per batch for IMDN-DLV and its fork outcomes, as its text when it parsed, and every call replays equal; lines with the parts by value still replay', async () => {
  const { imdnMessage } = await import('../engine/imdn/fixtures');
  const { ImdnCache } = await import('../engine/imdn/cache');
  const { withPolicy } = await import('../engine/policy');
  const { beginCall, replayArgs } = await import('../engine/replay/tape');
  const { PROCEDURES } = await import('../engine/replay/procedures');
  const fc = (await import('fast-check')).default;
  const user = 'sip:alice@example.com';
  const prefs = { allowOfflineStorage: false, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: false, source: 'XDMS' as const };
  fc.assert(
    fc.property(fc.constantFrom('delivered', 'failed', 'unreadable'), fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.constantFrom(200, 480, 'timeout' as const), (status, aggregate, clients, answer) => {
      const s = sink();
      const engine = recordingEngine(s, () => 1_000);
      const policy = withPolicy({ imdnAggregation: { enabled: aggregate, requireClientTag: false } });
      const parsed = imdnMessage({ messageId: `m-${status}`, type: 'delivery', status });
      // a body that is not an IMDN is forwarded unchanged (IMDN-RX), its part defined by value
      const message = status === 'unreadable' ? { ...parsed, body: 'From: <sip:bob@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nnot a notification' } : parsed;
      const rx = engine.call('receiveImdn', { servedUser: user, message, cache: new ImdnCache({ name: 'RX', ttlSec: 300 }), messageIndex: () => undefined, session: () => undefined, policy, now: 5_000, txn: 't1' });
      assert.equal(rx.forward.length, 1);
      const registrations = Array.from({ length: clients }, (_, n) => ({ contact: `sip:alice@10.0.0.${n}`, icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg'], imdnAggregation: aggregate }));
      const dlv = engine.call('deliverImdn', { deliveryId: 'imdn:1', servedUser: user, txn: 't1', message, parts: rx.forward, registrations, prefs, policy, now: 5_000, buffers: {} });
      let buffers = dlv.buffers;
      const deliveries = [...(dlv.delivery ? [dlv.delivery] : []), ...dlv.flushed];
      for (const timer of Object.values(buffers).map((b) => b.timer)) {
        const f = engine.call('flushImdnAggregate', { buffers, timer, deliveryId: `imdn:f${timer}` });
        buffers = f.buffers;
        if (f.delivery) deliveries.push(f.delivery);
      }
      for (let d of deliveries) {
        for (const fork of d.forks) {
          const r = engine.call('imdnForkOutcome', { delivery: d, forkId: fork.id, code: answer === 'timeout' ? undefined : answer, timedOut: answer === 'timeout', prefs, policy, locator: { folderOfOriginal: () => undefined, conversationFolder: () => undefined }, now: 6_000 });
          d = r.delivery;
        }
      }
      // the part is defined once, however many calls carry it: as its text when it parsed
      // (no parsed form written anywhere), by value when it did not
      const defs = s.lines.filter((l) => l.startsWith('{"v":') && l.includes('"raw":'));
      assert.equal(defs.length, 1);
      assert.equal(/^\{"v":"[^"]*","part":/.test(defs[0]), status !== 'unreadable');
      if (status !== 'unreadable') assert.ok(!s.lines.some((l) => l.includes('"contentHeaders"')));
      assert.ok(!s.lines.some((l) => !l.startsWith('{"v":') && l.includes('"raw":')));
      const calls = parseBatch(s.lines);
      assert.ok(calls.some((c) => c.p === 'imdnForkOutcome'));
      assert.deepEqual(checkReplay(calls).mismatches, []);
      // as recorded before D-275 (parts by value in each line): reads and replays the same
      const old = s.lines.filter((l) => !l.startsWith('{"v":')).map((l, i) => {
        const c = calls[i];
        const rec = beginCall(c.p, replayArgs(c), c.at);
        return rec.finish((PROCEDURES[c.p].run as (a: unknown) => never)(rec.args));
      });
      assert.ok(old.every((l) => !l.includes('{"$v"')));
      assert.deepEqual(checkReplay(parseBatch(old)).mismatches, []);
    }),
    { numRuns: 40 },
  );
});
