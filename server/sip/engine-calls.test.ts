// The recording seam: what it hands the recorder, and that the engine's answer is the same with or
// without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineByValue, parseBatch, type VersionDefinition } from '../engine/replay/tape';
import { checkReplay } from '../engine/replay/replay';
import { directEngine, recordingEngine } from './engine-calls';
import type { EngineOutput } from '../engine/replay/procedures';

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
      // the part is defined once, however many calls carry it: when it parsed, as a reference to
      // the request's body, which is its text (D-288; no parsed form and no second copy of the
      // text written anywhere), by value when it did not
      const defs = s.lines.filter((l) => l.startsWith('{"v":') && (l.includes('"raw":') || l.includes('"part":')));
      assert.equal(defs.length, 1);
      assert.equal(/^\{"v":"[^"]*","part":\{.*\},"rawOf":"[^"]+"\}$/.test(defs[0]), status !== 'unreadable');
      if (status !== 'unreadable') {
        assert.ok(!s.lines.some((l) => l.includes('"contentHeaders"')));
        assert.equal(s.lines.join('\n').split('NS: imdn').length - 1, 1, 'the notification text is written once');
      }
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

test('REPLAY-EQ, D-280, D-288, D-294: lines carry the v3 fingerprint, which tells apart any change to an effect or to what a decision decided, and not a rewording of its explanation (summary, inputs); v2, v1 (SHA-1) and cyrb53 lines still check as taken', async () => {
  const fc = (await import('fast-check')).default;
  const { resultFingerprint, resultFingerprintByDefinition, resultFingerprintV2, fingerprintMatches, fingerprintHashV1 } = await import('../engine/replay/tape');
  const { hash53 } = await import('../engine/replay/hash');
  const s = sink();
  recordingEngine(s, () => 1_000).call('checkBody', { inspection: { ok: false, code: 413, encoding: 'br', why: 'too large' }, servedUser: 'sip:a@x', callId: 'c3' });
  const h = (JSON.parse(s.lines[s.lines.length - 1]) as { h: string }).h;
  assert.match(h, /^3[0-9a-z]{12}$/);
  const text = fc.string({ maxLength: 12 });
  const decision = fc.record(
    {
      branch: text,
      procedure: fc.constantFrom('IMDN-RX' as const, 'DSP' as const, 'BYE' as const),
      outcome: text,
      summary: text,
      inputs: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean())),
      servedUser: text,
      messageId: text,
      disposition: text,
      sessionId: text,
      callId: text,
    },
    { requiredKeys: ['branch', 'procedure', 'outcome', 'summary', 'inputs'] },
  );
  const output = fc.record({ effects: fc.array(fc.record({ kind: text, to: text }), { maxLength: 3 }), decisions: fc.array(decision, { minLength: 1, maxLength: 3 }) });
  const behaviour = ['effect', 'branch', 'procedure', 'outcome', 'servedUser', 'messageId', 'disposition', 'sessionId', 'callId'] as const;
  fc.assert(
    fc.property(output, fc.nat(), fc.constantFrom(...behaviour, 'summary', 'inputs'), (generated, pick, what) => {
      // effects of any shape: the fingerprint takes them as data
      const r = generated as unknown as EngineOutput & { effects: unknown[] };
      const recorded = resultFingerprint(r);
      // fed to the hash piece by piece (D-294), as the content the v3 form is defined by hashes
      assert.equal(recorded, resultFingerprintByDefinition(r));
      assert.ok(fingerprintMatches(structuredClone(r), recorded));
      const changed = structuredClone(r);
      const d = changed.decisions[pick % changed.decisions.length] as unknown as Record<string, unknown>;
      if (what === 'effect') changed.effects.push({ kind: 'extra' });
      else if (what === 'inputs') (d.inputs as Record<string, unknown>)['changed-by-test'] = 1;
      else d[what] = `${String(d[what] ?? '')}~`;
      const isBehaviour = (behaviour as readonly string[]).includes(what);
      assert.equal(fingerprintMatches(changed, recorded), !isBehaviour, isBehaviour ? `a changed ${what} went unnoticed` : `a reworded ${what} counted as a different decision`);
      // a result rebuilt from JSON (as replay rebuilds its arguments) has the same fingerprint
      assert.ok(fingerprintMatches(JSON.parse(JSON.stringify(r)), recorded));
      // the older forms are still checked as they were taken: v2 the same content as JSON text,
      // v1 and cyrb53 the whole decision
      const v2 = resultFingerprintV2(r);
      assert.match(v2, /^2[0-9a-z]{12}$/);
      assert.ok(fingerprintMatches(r, v2));
      assert.equal(fingerprintMatches(changed, v2), !isBehaviour);
      const v1 = JSON.stringify([r.effects, r.decisions]);
      assert.ok(fingerprintMatches(r, fingerprintHashV1(v1)));
      assert.ok(fingerprintMatches(r, hash53(v1)));
      assert.equal(fingerprintMatches(changed, fingerprintHashV1(v1)), false);
    }),
    { numRuns: 400 },
  );
});

test('REPLAY-EQ, D-298: a request view the shell parsed from SIP text is written as that text and read back as the same view, whatever the text holds; one with a surrogate is written by value', async () => {
  const fc = (await import('fast-check')).default;
  const { viewOnly } = await import('./message-view');
  const { splitBatchText } = await import('../engine/replay/tape');
  const { DEFAULT_POLICY } = await import('../engine/policy');
  const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 });
  const header = fc.tuple(fc.constantFrom('Via', 'From', 'To', 'Call-ID', 'Accept-Contact', 'Reason', 'X-Odd'), latin1, fc.option(latin1)).map(([n, v, fold]) => `${n}: ${v}${fold !== null ? `\r\n ${fold}` : ''}`);
  // bodies with bare newlines, CRLFs, text that looks like a definition header, any byte, and (rarely) a surrogate
  const bodyPart = fc.oneof(latin1, fc.constant('\n'), fc.constant('\r\n'), fc.constant('{"v":"0","sip":5}\n'), fc.constant('\u{1F600}'), fc.constant('\uD800'));
  const text = fc.tuple(fc.array(header, { maxLength: 6 }), fc.array(bodyPart, { maxLength: 8 })).map(([hs, body]) => `MESSAGE sip:bob@example.com SIP/2.0\r\n${hs.join('\r\n')}${hs.length ? '\r\n' : ''}\r\n${body.join('')}`);
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), (texts) => {
      const s = sink();
      const engine = recordingEngine(s, () => 1_000);
      const views = texts.map((t) => viewOnly(t));
      for (const [i, request] of views.entries()) engine.call('dispatch', { request, policy: DEFAULT_POLICY, txn: `t${i}` });
      // what the recorder writes: the lines joined by newlines, read back through the splitter
      const calls = parseBatch(splitBatchText(`${s.lines.join('\n')}\n`));
      assert.equal(calls.length, views.length);
      for (const [i, c] of calls.entries()) {
        assert.deepEqual(c.a.request, views[i]);
        const byText = !/[\uD800-\uDFFF]/.test(texts[i]);
        assert.equal(s.lines.some((l) => l.startsWith(`{"v":`) && l.includes(`"sip":${texts[i].length}}\n`) && l.endsWith(texts[i])), byText, `view ${i} written ${byText ? 'as its text' : 'by value'}`);
      }
      assert.deepEqual(checkReplay(calls).mismatches, []);
    }),
    { numRuns: 300 },
  );
});
