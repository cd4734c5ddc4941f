// The relay core, driven with messages that go through the codec: chunks reach the peer leg
// unchanged but for tid and paths, responses and REPORTs map back to the right transaction,
// errors are answered by the PF as RFC 4975 §7.2 says, Failure-Report honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsrpRelaySession, type RelayAction } from './relay';
import { MsrpParser, type ParseEvent } from './parser';
import { serialize } from './serializer';
import type { MsrpMessage, MsrpRequest, MsrpResponse, FailureReport, Continuation } from './message';

const PF_A = 'msrp://pf.example:2855/pfA0001;tcp';
const PF_B = 'msrp://pf.example:2855/pfB0001;tcp';
const CA = 'msrp://client-a.example:7001/ca0001;tcp';
const CB = 'msrp://client-b.example:7002/cb0001;tcp';

function session(opts: Partial<{ timeout: number; maxMessageBytes: number }> = {}) {
  let n = 0;
  return new MsrpRelaySession({
    sessionId: 's1',
    legs: [{ id: 'a', localUri: PF_A, remotePath: [CA] }, { id: 'b', localUri: PF_B, remotePath: [CB] }],
    transactionTimeoutMs: opts.timeout ?? 1000,
    reassembly: { maxMessageBytes: opts.maxMessageBytes ?? 1 << 20 },
    newTid: () => `pftid${String(++n).padStart(6, '0')}`,
  });
}

/** The message as the relay would get it from the wire. */
function wire(m: MsrpMessage): ParseEvent {
  const ev = new MsrpParser().push(serialize(m));
  assert.equal(ev.length, 1);
  return ev[0];
}

function sends(actions: RelayAction[], leg?: string): MsrpMessage[] {
  return actions.filter((a): a is Extract<RelayAction, { type: 'send' }> => a.type === 'send' && (!leg || a.leg === leg)).map((a) => a.message);
}

let tidN = 0;
function send(from: 'a' | 'b', body: Buffer | undefined, o: Partial<MsrpRequest> = {}): MsrpRequest {
  const m: MsrpRequest = {
    kind: 'request', tid: `cl${String(++tidN).padStart(8, '0')}`, method: 'SEND',
    toPath: [from === 'a' ? PF_A : PF_B], fromPath: [from === 'a' ? CA : CB], headers: [],
    messageId: `msg${tidN}x`, continuation: '$', ...o,
  };
  if (body !== undefined) {
    m.body = body;
    m.contentType ??= 'text/plain';
    m.byteRange ??= { start: 1, end: body.length, total: body.length };
  }
  return m;
}

function resp(to: MsrpRequest, code: number, self: string): MsrpResponse {
  return { kind: 'response', tid: to.tid, code, comment: 'x', toPath: [to.fromPath[0]], fromPath: [self], headers: [] };
}

test('a SEND is forwarded with new tid and paths, its 200 mapped back to the original transaction', () => {
  const s = session();
  const m = send('a', Buffer.from('hello'), { headers: [['X-Extra', 'kept']] });
  const out = s.receive('a', wire(m), 0);
  const [fwd] = sends(out, 'b') as MsrpRequest[];
  assert.deepEqual({ ...fwd, tid: 'T' }, { ...m, tid: 'T', toPath: [CB], fromPath: [PF_B] });
  assert.notEqual(fwd.tid, m.tid);
  const whole = out.find((a) => a.type === 'whole');
  assert.ok(whole && whole.type === 'whole' && whole.leg === 'a' && whole.message.body.toString() === 'hello' && whole.relayed);
  const back = s.receive('b', wire(resp(fwd, 200, CB)), 1);
  assert.deepEqual(sends(back, 'a'), [{ kind: 'response', tid: m.tid, code: 200, comment: 'x', toPath: [CA], fromPath: [PF_A], headers: [] }]);
  assert.equal(s.pendingCount, 0);
  // a late duplicate response is dropped
  assert.deepEqual(s.receive('b', wire(resp(fwd, 200, CB)), 2), []);
});

test('Failure-Report: no → no response at all; partial → errors only', () => {
  const s = session();
  for (const [fr, code, expect] of [['no', 200, 0], ['no', 481, 0], ['partial', 200, 0], ['partial', 415, 1], ['yes', 415, 1]] as const) {
    const m = send('a', Buffer.from('x'), { failureReport: fr });
    const [fwd] = sends(s.receive('a', wire(m), 0), 'b') as MsrpRequest[];
    assert.equal(fwd.failureReport, fr);
    const back = sends(s.receive('b', wire(resp(fwd, code, CB)), 0), 'a');
    assert.equal(back.length, expect, `${fr} ${code}`);
  }
  // locally answered errors follow the same rule
  const bad = send('a', Buffer.from('x'), { failureReport: 'no', toPath: ['msrp://pf.example:2855/other;tcp'] });
  assert.deepEqual(s.receive('a', wire(bad), 0), []);
  const bad2 = send('a', Buffer.from('x'), { failureReport: 'partial', toPath: ['msrp://pf.example:2855/other;tcp'] });
  assert.equal((sends(s.receive('a', wire(bad2), 0))[0] as MsrpResponse).code, 481);
});

test('REPORTs go back to the sender of the message, never answered; unknown ones dropped', () => {
  const s = session();
  const m = send('a', Buffer.from('report me'), { successReport: 'yes' });
  const [fwd] = sends(s.receive('a', wire(m), 0), 'b') as MsrpRequest[];
  s.receive('b', wire(resp(fwd, 200, CB)), 0);
  const report: MsrpRequest = {
    kind: 'request', tid: 'rep00000001', method: 'REPORT', toPath: [PF_B], fromPath: [CB], headers: [], messageId: m.messageId,
    byteRange: { start: 1, end: 9, total: 9 }, status: { namespace: '000', code: 200, reason: 'OK' }, continuation: '$',
  };
  const out = s.receive('b', wire(report), 0);
  assert.equal(out.length, 1);
  const [r] = sends(out, 'a') as MsrpRequest[];
  assert.deepEqual({ ...r, tid: 'T' }, { ...report, tid: 'T', toPath: [CA], fromPath: [PF_A] });
  assert.deepEqual(s.receive('b', wire({ ...report, messageId: 'unknown1' }), 0), []);
  assert.equal(s.counters.reportsMapped, 1);
});

test('errors the PF answers itself: 481 wrong To-Path, 400 malformed, 413 too large, a bodiless SEND is 200 and not relayed', () => {
  const s = session({ maxMessageBytes: 10 });
  const wrong = send('a', Buffer.from('x'), { toPath: ['msrp://pf.example:2855/pfA0001;tcp'.replace('pfA', 'PFA')] });
  assert.equal((sends(s.receive('a', wire(wrong), 0), 'a')[0] as MsrpResponse).code, 481);
  const bad = new MsrpParser().push(Buffer.from(`MSRP badtid01 SEND\r\nTo-Path: ${PF_A}\r\nFrom-Path: ${CA}\r\nMessage-ID: m1234\r\nByte-Range: x\r\n-------badtid01$\r\n`))[0];
  const r400 = sends(s.receive('a', bad, 0), 'a')[0] as MsrpResponse;
  assert.deepEqual([r400.tid, r400.code, r400.toPath, r400.fromPath], ['badtid01', 400, [CA], [PF_A]]);
  // a message over the reassembly cap: first chunk relayed, second refused with 413, the peer gets '#'
  const c1 = send('a', Buffer.from('12345678'), { messageId: 'big12345', byteRange: { start: 1, end: 8, total: '*' }, continuation: '+' });
  assert.equal(sends(s.receive('a', wire(c1), 0), 'b').length, 1);
  const c2 = send('a', Buffer.from('9abcdef'), { messageId: 'big12345', byteRange: { start: 9, end: 15, total: '*' }, continuation: '+' });
  const out = s.receive('a', wire(c2), 0);
  assert.equal((sends(out, 'a')[0] as MsrpResponse).code, 413);
  const [abort] = sends(out, 'b') as MsrpRequest[];
  assert.equal(abort.continuation, '#');
  assert.equal(abort.messageId, 'big12345');
  assert.deepEqual(abort.byteRange, { start: 9, end: 8, total: '*' });
  // a chunk past the parser's limit
  const tl = new MsrpParser({ maxBodyBytes: 4 }).push(serialize(send('a', Buffer.from('too long'))))[0];
  assert.equal(tl.type, 'too-large');
  assert.equal((sends(s.receive('a', tl, 0), 'a')[0] as MsrpResponse).code, 413);
  // bodiless SEND
  const bind = s.receive('a', wire(send('a', undefined)), 0);
  assert.deepEqual(sends(bind).map((m) => [m.kind, (m as MsrpResponse).code]), [['response', 200]]);
  assert.equal(sends(bind, 'b').length, 0);
});

test('an unknown method is relayed when relaying, 501 when the PF terminates', () => {
  const s = session();
  const nick = send('a', undefined, { method: 'NICKNAME', headers: [['Use-Nickname', '"A"']] });
  delete nick.messageId;
  const [fwd] = sends(s.receive('a', wire(nick), 0), 'b') as MsrpRequest[];
  assert.equal(fwd.method, 'NICKNAME');
  assert.equal((sends(s.receive('b', wire(resp(fwd, 200, CB)), 0), 'a')[0] as MsrpResponse).tid, nick.tid);
  s.setMode('a', 'terminate');
  assert.equal((sends(s.receive('a', wire({ ...nick, tid: 'nick00002' }), 0), 'a')[0] as MsrpResponse).code, 501);
});

test('no answer from the peer: 408 at the deadline; with partial, silence is success', () => {
  const s = session({ timeout: 500 });
  const m1 = send('a', Buffer.from('one'));
  const m2 = send('a', Buffer.from('two'), { failureReport: 'partial' });
  s.receive('a', wire(m1), 0);
  s.receive('a', wire(m2), 100);
  assert.equal(s.nextDeadline(), 500);
  assert.deepEqual(s.poll(499), []);
  const t = sends(s.poll(500), 'a') as MsrpResponse[];
  assert.deepEqual(t.map((r) => [r.tid, r.code]), [[m1.tid, 408]]);
  assert.deepEqual(s.poll(600).filter((a) => a.type !== 'outcome'), [], 'a partial transaction expires silently (its outcome is success)');
  assert.equal(s.nextDeadline(), undefined);
});

test('release: waiting origins get 481, the leg closes, later SENDs toward it get 481', () => {
  const s = session();
  const m = send('a', Buffer.from('pending'));
  s.receive('a', wire(m), 0);
  const out = s.release('b', 1);
  assert.deepEqual(sends(out, 'a').map((r) => [(r as MsrpResponse).tid, (r as MsrpResponse).code]), [[m.tid, 481]]);
  assert.ok(out.some((a) => a.type === 'close' && a.leg === 'b'));
  assert.equal((sends(s.receive('a', wire(send('a', Buffer.from('later'))), 2), 'a')[0] as MsrpResponse).code, 481);
  assert.deepEqual(s.receive('b', wire(send('b', Buffer.from('from a released leg'))), 3), []);
  assert.deepEqual(s.release('b', 4), []);
});

test('disconnect: waiting origins get 408; terminate mode: the PF answers 200 and keeps the whole message', () => {
  const s = session();
  const m = send('b', Buffer.from('to a'));
  s.receive('b', wire(m), 0);
  const out = s.legDisconnected('a', 1);
  assert.deepEqual(sends(out, 'b').map((r) => (r as MsrpResponse).code), [408]);
  s.setMode('b', 'terminate');
  const c1 = send('b', Buffer.from('held '), { messageId: 'held0001', byteRange: { start: 1, end: 5, total: 9 }, continuation: '+' });
  const c2 = send('b', Buffer.from('msg!'), { messageId: 'held0001', byteRange: { start: 6, end: 9, total: 9 } });
  const o1 = s.receive('b', wire(c1), 2);
  const o2 = s.receive('b', wire(c2), 3);
  assert.deepEqual([...sends(o1), ...sends(o2)].map((r) => [r.kind, (r as MsrpResponse).code]), [['response', 200], ['response', 200]]);
  const whole = o2.find((a) => a.type === 'whole');
  assert.ok(whole && whole.type === 'whole' && whole.message.body.toString() === 'held msg!' && !whole.relayed && whole.leg === 'b');
});

test('the PF as active side binds the connection with a bodiless SEND; its own requests get local-response', () => {
  const s = session();
  const out = s.legConnected('b', true, 0);
  const [bind] = sends(out, 'b') as MsrpRequest[];
  assert.deepEqual([bind.method, bind.body, bind.toPath, bind.fromPath], ['SEND', undefined, [CB], [PF_B]]);
  assert.deepEqual(s.receive('b', wire(resp(bind, 200, CB)), 1), [{ type: 'local-response', leg: 'b', tid: bind.tid, code: 200, comment: 'x' }]);
  assert.deepEqual(s.legConnected('a', false, 0), []);
  const { tid, actions } = s.sendRequest('a', { method: 'SEND', messageId: 'deferred1', contentType: 'message/cpim', body: Buffer.from('late') }, 5);
  assert.equal(sends(actions, 'a').length, 1);
  assert.deepEqual(s.poll(1005), [{ type: 'local-response', leg: 'a', tid, code: 408, comment: 'Request Timeout' }]);
});

// ------------------------------------------------------------------------------------------------
// The property: a random exchange in both directions, chunked, with random Failure-Report,
// responses in random order with random codes, REPORTs for some messages.

interface Plan { from: 'a' | 'b'; body: Uint8Array; cuts: number[]; fr?: FailureReport; code: number; report: boolean }

const arbPlan: fc.Arbitrary<Plan> = fc.record({
  from: fc.constantFrom('a' as const, 'b' as const),
  body: fc.uint8Array({ minLength: 1, maxLength: 2000 }),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
  fr: fc.option(fc.constantFrom('yes' as const, 'no' as const, 'partial' as const), { nil: undefined }),
  code: fc.constantFrom(200, 200, 200, 400, 413, 415, 481),
  report: fc.boolean(),
});

test('property: chunks arrive unchanged on the other leg; every response and REPORT maps back to its own transaction', () => {
  fc.assert(fc.property(fc.array(arbPlan, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 60 }), (plans, order) => {
    const s = session({ timeout: 1e9 });
    // the chunks each side sends, and what the far side receives
    const expectedResponses = new Map<string, number>(); // original tid → code the origin must see
    const sentChunks: Array<{ from: 'a' | 'b'; m: MsrpRequest; plan: Plan }> = [];
    plans.forEach((p, i) => {
      const body = Buffer.from(p.body);
      const pts = [...new Set(p.cuts.map((c) => c % body.length))].filter((c) => c > 0).sort((x, y) => x - y);
      const bounds = [0, ...pts, body.length];
      for (let k = 0; k + 1 < bounds.length; k++) {
        const last = k + 2 === bounds.length;
        const m = send(p.from, body.subarray(bounds[k], bounds[k + 1]), {
          messageId: `plan${i}msg`, failureReport: p.fr, continuation: (last ? '$' : '+') as Continuation,
          byteRange: { start: bounds[k] + 1, end: bounds[k + 1], total: body.length }, successReport: p.report ? 'yes' : undefined,
        });
        if (!m.successReport) delete m.successReport;
        if (!m.failureReport) delete m.failureReport;
        sentChunks.push({ from: p.from, m, plan: p });
        const fr = p.fr ?? 'yes';
        if (fr === 'yes' || (fr === 'partial' && p.code !== 200)) expectedResponses.set(m.tid, p.code);
      }
    });
    const received = new Map<string, MsrpMessage[]>([['a', []], ['b', []]]);
    const wholes: string[] = [];
    const collect = (acts: RelayAction[]) => {
      for (const a of acts) {
        if (a.type === 'send') received.get(a.leg)!.push(a.message);
        if (a.type === 'whole') wholes.push(a.message.messageId);
        assert.notEqual(a.type, 'close');
      }
    };
    for (const c of sentChunks) collect(s.receive(c.from, wire(c.m), 0));
    // what each far end got, in order: the same chunks, tid and paths rewritten
    for (const leg of ['a', 'b'] as const) {
      const got = received.get(leg)!.filter((m): m is MsrpRequest => m.kind === 'request');
      const want = sentChunks.filter((c) => c.from !== leg).map((c) => c.m);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => {
        assert.deepEqual({ ...g, tid: '' }, { ...want[i], tid: '', toPath: [leg === 'a' ? CA : CB], fromPath: [leg === 'a' ? PF_A : PF_B] });
      });
    }
    assert.deepEqual(wholes.sort(), plans.map((_, i) => `plan${i}msg`).sort());
    // the far ends answer every forwarded chunk they must answer, in a random order, and REPORT
    const toAnswer: Array<{ leg: 'a' | 'b'; m: MsrpMessage }> = [];
    for (const leg of ['a', 'b'] as const) {
      const self = leg === 'a' ? CA : CB;
      const got = received.get(leg)!.filter((m): m is MsrpRequest => m.kind === 'request');
      const want = sentChunks.filter((c) => c.from !== leg);
      got.forEach((g, i) => {
        const p = want[i].plan;
        const fr = g.failureReport ?? 'yes';
        if (fr === 'yes' || (fr === 'partial' && p.code !== 200)) toAnswer.push({ leg, m: resp(g, p.code, self) });
        if (p.report && g.continuation === '$') {
          toAnswer.push({ leg, m: { kind: 'request', tid: `rp${g.tid}`, method: 'REPORT', toPath: g.fromPath, fromPath: [self], headers: [], messageId: g.messageId, byteRange: { start: 1, end: p.body.length, total: p.body.length }, status: { namespace: '000', code: 200, reason: 'OK' }, continuation: '$' } });
        }
      });
      received.set(leg, []);
    }
    const shuffled = toAnswer.map((x, i) => ({ x, k: order[i] ?? i })).sort((p, q) => p.k - q.k).map((p) => p.x);
    for (const { leg, m } of shuffled) collect(s.receive(leg, wire(m), 1));
    const gotResponses = new Map<string, number>();
    const gotReports: string[] = [];
    for (const leg of ['a', 'b'] as const) {
      for (const m of received.get(leg)!) {
        if (m.kind === 'response') {
          assert.ok(!gotResponses.has(m.tid), `two responses for ${m.tid}`);
          gotResponses.set(m.tid, m.code);
          const orig = sentChunks.find((c) => c.m.tid === m.tid)!;
          assert.equal(orig.from, leg, 'a response goes back on the leg its request came from');
          assert.deepEqual([m.toPath, m.fromPath], [[leg === 'a' ? CA : CB], [leg === 'a' ? PF_A : PF_B]]);
        } else {
          assert.equal(m.method, 'REPORT');
          const plan = sentChunks.find((c) => c.m.messageId === m.messageId)!;
          assert.equal(plan.from, leg);
          assert.deepEqual(m.toPath, [leg === 'a' ? CA : CB]);
          gotReports.push(m.messageId!);
        }
      }
    }
    assert.deepEqual(gotResponses, expectedResponses);
    assert.deepEqual(gotReports.sort(), plans.map((p, i) => (p.report ? `plan${i}msg` : '')).filter(Boolean).sort());
    // 'partial' chunks the peer accepted get no 200: they wait for the deadline, which is silent
    const silent = sentChunks.filter((c) => c.plan.fr === 'partial' && c.plan.code === 200).length;
    assert.equal(s.pendingCount, silent);
    assert.deepEqual(s.poll(1e9).filter((a) => a.type !== 'outcome'), []);
    assert.equal(s.pendingCount, 0);
  }), { numRuns: 200 });
});

test('nothing crosses sessions: a SEND addressed to another session is 481 and never relayed', () => {
  const s1 = session();
  const s2 = new MsrpRelaySession({
    sessionId: 's2',
    legs: [{ id: 'a', localUri: 'msrp://pf.example:2855/pfA0002;tcp', remotePath: [CA] }, { id: 'b', localUri: 'msrp://pf.example:2855/pfB0002;tcp', remotePath: [CB] }],
  });
  const forS2 = send('a', Buffer.from('for s2'), { toPath: ['msrp://pf.example:2855/pfA0002;tcp'] });
  const out = s1.receive('a', wire(forS2), 0);
  assert.deepEqual(sends(out, 'b'), []);
  assert.equal((sends(out, 'a')[0] as MsrpResponse).code, 481);
  assert.equal(sends(s2.receive('a', wire(forS2), 0), 'b').length, 1);
  assert.equal(s1.pendingCount, 0);
});

test('gate mode: a one-chunk message waits for the verdict (relay, or answered by the PF); chunked ones are relayed', () => {
  const s = session({ timeout: 1000 });
  s.setMode('a', 'gate');
  const imdn = send('a', Buffer.from('<imdn/>'), { contentType: 'message/cpim' });
  const out = s.receive('a', wire(imdn), 0);
  assert.equal(out.length, 1);
  const d = out[0];
  assert.ok(d.type === 'decide' && d.leg === 'a' && d.message.body.toString() === '<imdn/>');
  if (d.type !== 'decide') return;
  // relay: forwarded now, the peer's answer maps back to the held transaction
  const [fwd] = sends(s.decide('a', d.id, 'relay', 10), 'b') as MsrpRequest[];
  assert.equal(fwd.messageId, imdn.messageId);
  assert.equal((sends(s.receive('b', wire(resp(fwd, 200, CB)), 11), 'a')[0] as MsrpResponse).tid, imdn.tid);
  assert.deepEqual(s.decide('a', d.id, 'relay', 12), []);
  // drop: the PF answers 200, nothing reaches B
  const drop = send('a', Buffer.from('<imdn2/>'));
  const d2 = s.receive('a', wire(drop), 20)[0];
  assert.ok(d2.type === 'decide');
  if (d2.type !== 'decide') return;
  const ans = s.decide('a', d2.id, { code: 200 }, 21);
  assert.deepEqual(sends(ans).map((m) => [m.kind, (m as MsrpResponse).tid, (m as MsrpResponse).code]), [['response', drop.tid, 200]]);
  // no verdict in time: 408
  const slow = send('a', Buffer.from('<slow/>'));
  s.receive('a', wire(slow), 100);
  assert.deepEqual(sends(s.poll(1100)).map((m) => (m as MsrpResponse).code), [408]);
  // a chunked message is not held
  const c1 = send('a', Buffer.from('part1'), { messageId: 'chunky01', byteRange: { start: 1, end: 5, total: 10 }, continuation: '+' });
  const c2 = send('a', Buffer.from('part2'), { messageId: 'chunky01', byteRange: { start: 6, end: 10, total: 10 } });
  assert.equal(sends(s.receive('a', wire(c1), 200), 'b').length, 1);
  const o2 = s.receive('a', wire(c2), 201);
  assert.equal(sends(o2, 'b').length, 1);
  assert.ok(o2.some((a) => a.type === 'whole'));
});

test('rejoin: a released leg comes back with a new far-end path (BYE-4-R-iii-2): idle, then up, and the PF\'s own SEND and relayed SENDs reach the new path', () => {
  const s = session();
  const now = 0;
  s.legConnected('a', false, now);
  s.legConnected('b', false, now);
  s.release('a', now);
  assert.equal(s.state('a'), 'released');
  assert.equal(s.sendRequest('a', { method: 'SEND', messageId: 'x1' }, now).tid, '', 'nothing goes to a released leg');
  const CA2 = 'msrp://client-a2.example:7003/ca0002;tcp';
  s.rejoin('a', [CA2]);
  assert.equal(s.state('a'), 'idle');
  const own = s.sendRequest('a', { method: 'SEND', messageId: 'deferred1', contentType: 'text/plain', body: Buffer.from('kept for you') }, now);
  assert.notEqual(own.tid, '');
  assert.deepEqual((sends(own.actions, 'a')[0] as MsrpRequest).toPath, [CA2]);
  s.legConnected('a', false, now);
  const fromB = s.receive('b', wire(send('b', Buffer.from('welcome back'))), now);
  assert.deepEqual((sends(fromB, 'a')[0] as MsrpRequest).toPath, [CA2]);
});
