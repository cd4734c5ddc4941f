// D-266: a MESSAGE inside a session leg's dialog is refused with 405 and Allow, whatever the
// session's state, and the session is left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { G1, P, R1, T0, branches, pol } from './fixtures';
import { handleBye } from './handle-bye';
import { SESSION_DIALOG_ALLOW } from './in-dialog-message';

test('property MSRP-ONLY: an in-dialog MESSAGE on any leg of any session, or of none, gets 405 with Allow and changes nothing', () => {
  fc.assert(fc.property(fc.constantFrom('cf', 'c1', 'nope'), fc.constantFrom('group', 'remain', 'none'), fc.constantFrom('message/cpim', 'text/plain', undefined), (legId, which, contentType) => {
    const s = which === 'group' ? G1() : which === 'remain' ? R1(true) : undefined;
    const before = structuredClone(s);
    const out = handleBye(s, { kind: 'IN_DIALOG_MESSAGE', legId, txn: 'm-1', contentType }, P('ad'), pol(), T0);
    assert.deepEqual(out.effects, [{ kind: 'SEND_RESP', txn: 'm-1', code: 405, reason: 'Method Not Allowed', headers: { Allow: SESSION_DIALOG_ALLOW } }]);
    assert.deepEqual(branches(out), ['MSRP-ONLY']);
    assert.equal(out.decisions[0].outcome, 'REJECT_405');
    assert.deepEqual(out.session, before);
  }));
});
