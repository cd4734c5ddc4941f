// CARRIER-0..4 (D-260): the in-dialog carrier's routing and answers, over leg states × sides × kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { G3, I1, O1, R1, leg } from '../bye/fixtures';
import type { CpmSession, LegState } from '../model';
import { carrierAnswer, carrierNotTaken, carryInDialog, imdnNoFarLeg, type CarriedKind } from './in-dialog';

const KINDS: CarriedKind[] = ['CHAT', 'IMDN', 'IS_COMPOSING'];
const STATES: LegState[] = ['CONNECTED', 'TERMINATED'];
const sendResp = (r: { effects: Array<{ kind: string }> }) => r.effects.filter((e) => e.kind === 'SEND_RESP') as Array<{ kind: 'SEND_RESP'; code: number; txn: string }>;

test('CARRIER-0: a MESSAGE in a dialog no live session owns is answered 481 by a recorded decision', () => {
  for (const session of [undefined, O1({ legs: [leg('c1', 'CLIENT', { state: 'TERMINATED' }), leg('rpf', 'REMOTE_PF')] })]) {
    const r = carryInDialog({ ...(session ? { session } : {}), legId: 'c1', itemKind: 'CHAT', txn: 't' });
    assert.equal(r.action.kind, 'ANSWERED');
    assert.deepEqual(sendResp(r).map((e) => [e.txn, e.code]), [['t', 481]]);
    assert.deepEqual(r.decisions.map((d) => [d.branch, d.procedure, d.outcome]), [['CARRIER-0', 'CARRIER', 'REJECT']]);
  }
});

test('CARRIER-1, CARRIER-2: an item goes to every connected leg of the other side, never its own side; with none it is refused 480; each with one decision', () => {
  fc.assert(
    fc.property(fc.constantFrom<'G3' | 'O1' | 'I1'>('G3', 'O1', 'I1'), fc.array(fc.constantFrom(...STATES), { minLength: 4, maxLength: 4 }), fc.nat(3), fc.constantFrom(...KINDS), (shape, states, pick, itemKind) => {
      const base = shape === 'G3' ? G3() : shape === 'O1' ? O1() : I1();
      const legs = base.legs.map((l, i) => ({ ...l, state: states[i] }));
      const from = legs[pick % legs.length];
      from.state = 'CONNECTED';
      const session: CpmSession = { ...base, legs };
      const r = carryInDialog({ session, legId: from.id, itemKind, txn: 't' });
      if (from.kind === 'CLIENT' && itemKind === 'IMDN') {
        assert.equal(r.action.kind, 'IMDN_TX');
        return;
      }
      const other = legs.filter((l) => l.state === 'CONNECTED' && l.id !== from.id && (from.kind === 'CLIENT') !== (l.kind === 'CLIENT')).map((l) => l.id);
      if (other.length === 0) {
        assert.deepEqual(sendResp(r).map((e) => e.code), [480]);
        assert.deepEqual(r.decisions.map((d) => d.branch), ['CARRIER-2']);
      } else {
        assert.ok(r.action.kind === 'RELAY');
        assert.deepEqual(r.action.targets, other);
        assert.ok(r.action.targets.every((t) => legs.find((l) => l.id === t)!.kind === 'CLIENT') === (from.kind !== 'CLIENT'));
        assert.deepEqual(r.effects, []);
        assert.deepEqual(r.decisions.map((d) => [d.branch, d.outcome, d.sessionId]), [['CARRIER-1', 'RELAY', session.id]]);
      }
    }),
  );
});

test('CARRIER: while the PF stands in for the user, what the network sends goes to BYE-4-R-ii; CARRIER-4 refuses 480 what it did not take', () => {
  const session = R1(true);
  assert.equal(carryInDialog({ session, legId: 'cf', itemKind: 'CHAT', txn: 't' }).action.kind, 'INTERCEPT');
  const r = carrierNotTaken({ session, legId: 'cf', itemKind: 'CHAT', txn: 't' });
  assert.deepEqual(sendResp(r).map((e) => e.code), [480]);
  assert.deepEqual(r.decisions.map((d) => d.branch), ['CARRIER-4']);
});

test('CARRIER-3: the sender hears the first 2xx (no decision), else the first refusal (a decision)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 200, max: 699 }), { minLength: 1, maxLength: 4 }), (codes) => {
      const r = carrierAnswer({ legId: 'c1', itemKind: 'CHAT', txn: 't', codes });
      const ok = codes.find((c) => c < 300);
      assert.deepEqual(sendResp(r).map((e) => e.code), [ok ?? codes[0]]);
      assert.deepEqual(r.decisions.map((d) => d.branch), ok === undefined ? ['CARRIER-3'] : []);
    }),
  );
});

test('CARRIER-2 (IMDN-TX carrier): a client notification with no far leg is refused 480 by a decision', () => {
  const r = imdnNoFarLeg({ session: O1(), legId: 'c1', itemKind: 'IMDN', txn: 't', messageId: 'm1' });
  assert.deepEqual(sendResp(r).map((e) => e.code), [480]);
  assert.deepEqual(r.decisions.map((d) => [d.branch, d.messageId]), [['CARRIER-2', 'm1']]);
});
