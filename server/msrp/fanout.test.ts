// D-164: a session with several legs per side (the served user's devices, the network). What
// arrives on a leg fans out to every live leg of the other side, never to a leg of its own side;
// the sender's transaction gets one answer: the first 200, or the first failure once every target
// has failed; each target's answer is reported as an 'outcome'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsrpRelaySession, type RelayAction } from './relay';
import { MsrpParser, type ParseEvent } from './parser';
import { serialize } from './serializer';
import type { MsrpMessage, MsrpRequest, MsrpResponse } from './message';

const pf = (leg: string) => `msrp://pf.example:2855/pf${leg}x;tcp`;
const far = (leg: string) => `msrp://${leg}.example:7000/far${leg}x;tcp`;

function group(clients: number) {
  let n = 0;
  const s = new MsrpRelaySession({
    sessionId: 'g1',
    legs: [{ id: 'net', side: 'net', localUri: pf('net'), remotePath: [far('net')] }],
    transactionTimeoutMs: 1000,
    newTid: () => `pftid${String(++n).padStart(6, '0')}`,
  });
  const ids = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  for (const id of ids) s.addLeg({ id, side: 'client', localUri: pf(id), remotePath: [far(id)] });
  return { s, ids };
}

function wire(m: MsrpMessage): ParseEvent {
  const ev = new MsrpParser().push(serialize(m));
  assert.equal(ev.length, 1);
  return ev[0];
}

let tidN = 0;
function send(from: string, text: string): MsrpRequest {
  const body = Buffer.from(text);
  tidN++;
  return {
    kind: 'request', tid: `cl${String(tidN).padStart(8, '0')}`, method: 'SEND', toPath: [pf(from)], fromPath: [far(from)], headers: [],
    messageId: `msg${tidN}x`, continuation: '$', body, contentType: 'text/plain', byteRange: { start: 1, end: body.length, total: body.length },
  };
}

const sent = (acts: RelayAction[]) => acts.filter((a): a is Extract<RelayAction, { type: 'send' }> => a.type === 'send');

test('D-164: a SEND from the network reaches every device; a device\'s SEND reaches the network only, never the other devices', () => {
  const { s } = group(3);
  const down = sent(s.receive('net', wire(send('net', 'to all')), 0));
  assert.deepEqual(down.map((a) => a.leg).sort(), ['c1', 'c2', 'c3']);
  for (const a of down) assert.deepEqual((a.message as MsrpRequest).toPath, [far(a.leg)]);
  const up = sent(s.receive('c2', wire(send('c2', 'from c2')), 0));
  assert.deepEqual(up.map((a) => a.leg), ['net']);
  assert.deepEqual((up[0].message as MsrpRequest).fromPath, [pf('net')]);
});

test('D-164: a device that left (released or lost) is not a target; with none left the sender gets 481', () => {
  const { s } = group(2);
  s.release('c1', 0);
  assert.deepEqual(sent(s.receive('net', wire(send('net', 'x')), 0)).map((a) => a.leg), ['c2']);
  s.legDisconnected('c2', 1);
  const r = sent(s.receive('net', wire(send('net', 'y')), 2));
  assert.deepEqual(r.map((a) => [a.leg, (a.message as MsrpResponse).code]), [['net', 481]]);
});

test('property D-164: one answer per relayed SEND: the first 200 at once, else the first failure when all failed; one outcome per target', () => {
  const code = fc.constantFrom(200, 200, 400, 408, 413, 481);
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }).chain((k) => fc.tuple(fc.constant(k), fc.array(code, { minLength: k, maxLength: k }), fc.shuffledSubarray([...Array(k).keys()], { minLength: k, maxLength: k }))), ([k, codes, order]) => {
    const { s, ids } = group(k);
    const m = send('net', 'fan me out');
    const fwd = sent(s.receive('net', wire(m), 0));
    assert.equal(fwd.length, k);
    const answers: MsrpResponse[] = [];
    const outcomes: Array<[string, number]> = [];
    for (const i of order) {
      const f = fwd.find((a) => a.leg === ids[i])!.message as MsrpRequest;
      const acts = s.receive(ids[i], wire({ kind: 'response', tid: f.tid, code: codes[i], toPath: [pf(ids[i])], fromPath: [far(ids[i])], headers: [] }), 1);
      for (const a of acts) {
        if (a.type === 'outcome') outcomes.push([a.leg, a.code]);
        if (a.type === 'send') {
          assert.equal(a.leg, 'net', 'answers go back to the sender only');
          answers.push(a.message as MsrpResponse);
        }
      }
      // the first 200 answers the sender at once
      if (codes[i] === 200) assert.equal(answers.length, 1);
    }
    assert.equal(answers.length, 1, 'exactly one answer');
    assert.equal(answers[0].tid, m.tid);
    const inOrder = order.map((i) => codes[i]);
    assert.equal(answers[0].code, inOrder.includes(200) ? 200 : inOrder[0]);
    assert.deepEqual(outcomes.sort(), ids.map((id, i) => [id, codes[i]] as [string, number]).sort());
    assert.equal(s.pendingCount, 0);
  }));
});

test('D-164: a device leaving while a SEND waits on it does not fail the SEND another device took', () => {
  const { s } = group(2);
  const m = send('net', 'hello');
  const fwd = sent(s.receive('net', wire(m), 0));
  const toC2 = fwd.find((a) => a.leg === 'c2')!.message as MsrpRequest;
  const lost = sent(s.legDisconnected('c1', 1));
  assert.deepEqual(lost, [], 'c1 lost: c2 may still take it');
  const r = sent(s.receive('c2', wire({ kind: 'response', tid: toC2.tid, code: 200, toPath: [pf('c2')], fromPath: [far('c2')], headers: [] }), 2));
  assert.deepEqual(r.map((a) => [a.leg, (a.message as MsrpResponse).tid, (a.message as MsrpResponse).code]), [['net', m.tid, 200]]);
});

test('D-167: a relayed message that failed on every target is reported once as failed, with the start of its first chunk; one a device took is not', () => {
  const { s, ids } = group(2);
  const body = Buffer.from('CPIM-HEAD|the rest of a file');
  const mk = (start: number, end: number, cont: '+' | '$'): MsrpRequest => ({
    ...send('net', 'x'), messageId: 'file1x', body: body.subarray(start - 1, end), byteRange: { start, end, total: body.length }, continuation: cont,
  });
  const answer = (acts: RelayAction[], code: (leg: string) => number) =>
    sent(acts).flatMap((a) => s.receive(a.leg, wire({ kind: 'response', tid: a.message.tid, code: code(a.leg), toPath: [pf(a.leg)], fromPath: [far(a.leg)], headers: [] }), 1));
  // chunk 1 taken by c1 only: not failed
  const first = answer(s.receive('net', wire(mk(1, 9, '+')), 0), (leg) => (leg === ids[0] ? 200 : 400));
  assert.ok(!first.some((a) => a.type === 'failed'));
  // chunk 2 refused by both: failed, head = the first chunk's bytes
  const second = answer(s.receive('net', wire(mk(10, body.length, '$')), 0), () => 413);
  const failed = second.filter((a) => a.type === 'failed');
  assert.equal(failed.length, 1);
  const f = failed[0] as Extract<RelayAction, { type: 'failed' }>;
  assert.deepEqual([f.leg, f.messageId, f.code, f.head?.toString()], ['net', 'file1x', 413, 'CPIM-HEAD']);
});
