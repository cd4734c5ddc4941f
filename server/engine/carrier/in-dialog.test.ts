// CARRIER-2 (D-260, D-266): a client's in-session notification with no far leg is refused by a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { O1 } from '../bye/fixtures';
import { imdnNoFarLeg } from './in-dialog';

const sendResp = (r: { effects: Array<{ kind: string }> }) => r.effects.filter((e) => e.kind === 'SEND_RESP') as Array<{ kind: 'SEND_RESP'; code: number; txn: string }>;

test('CARRIER-2 (IMDN-TX carrier): a client notification with no far leg is refused 480 by a decision', () => {
  const r = imdnNoFarLeg({ session: O1(), legId: 'c1', itemKind: 'IMDN', txn: 't', messageId: 'm1' });
  assert.deepEqual(sendResp(r).map((e) => e.code), [480]);
  assert.deepEqual(r.decisions.map((d) => [d.branch, d.messageId]), [['CARRIER-2', 'm1']]);
});
