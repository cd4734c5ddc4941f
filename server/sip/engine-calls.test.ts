// The recording seam: what it hands the recorder, and that the engine's answer is the same with or
// without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatch, versionLine } from '../engine/replay/tape';
import { checkReplay } from '../engine/replay/replay';
import { directEngine, recordingEngine } from './engine-calls';

function sink() {
  const lines: string[] = [];
  const ids = new Map<object, string>();
  return {
    lines,
    add: (line: string) => void lines.push(line),
    version: (v: object) => {
      let id = ids.get(v);
      if (!id) {
        ids.set(v, (id = String(ids.size)));
        lines.push(versionLine(id, JSON.stringify(v)));
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
