// PIN-N1r-S, PIN-N1r-S5 (D-260): who may subscribe to a conference through the PF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ALICE, G1, GROUP, O1 } from '../bye/fixtures';
import { confFocusUnreachable, relayConfSubscribe } from './conf-subscribe';

test('PIN-N1r-S: only a registered client of a served user, to the conference of one of its live group sessions, is relayed; everything else is refused 403 by a decision', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.boolean(), fc.constantFrom('ACTIVE', 'REMAIN_DISCONNECTED', 'RELEASED' as const), fc.boolean(), fc.boolean(), (served, fromClient, mode, sameConf, isGroup) => {
      const session = isGroup ? G1({ mode }) : O1({ mode });
      const conference = sameConf ? `<${GROUP};transport=udp>` : 'sip:other@example.net';
      const r = relayConfSubscribe({ ...(served ? { servedUser: ALICE } : {}), fromClient, conference, sessions: [session], txn: 't' });
      const relayed = served && fromClient && isGroup && mode !== 'RELEASED' && sameConf;
      assert.equal(r.sessionId, relayed ? session.id : undefined);
      assert.deepEqual(r.effects.map((e) => (e.kind === 'SEND_RESP' ? e.code : e.kind)), relayed ? [] : [403]);
      assert.deepEqual(r.decisions.map((d) => [d.branch, d.procedure, d.outcome]), [['PIN-N1r-S', 'PIN', relayed ? 'RELAY' : 'REJECT']]);
    }),
  );
});

test('PIN-N1r-S5: a subscription that cannot be sent to the focus is answered 503 by a decision', () => {
  const r = confFocusUnreachable({ servedUser: ALICE, sessionId: 'S', conference: GROUP, error: 'no route', txn: 't' });
  assert.deepEqual(r.effects, [{ kind: 'SEND_RESP', txn: 't', code: 503, reason: 'Conference focus not reachable' }]);
  assert.deepEqual(r.decisions.map((d) => [d.branch, d.outcome, d.sessionId]), [['PIN-N1r-S5', 'REJECT', 'S']]);
});
