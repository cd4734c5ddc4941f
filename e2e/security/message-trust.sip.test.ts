// Who may make the PF queue messages (issue 18): with PF_TRUST=peers a MESSAGE from a source that
// is neither a registered client nor a configured peer is refused 403, and each refusal is a
// decision in the log; in either trust mode a user's deferred queue holds at most
// PF_DEFERRED_MAX_PER_USER items, past which the sender gets 480 "Deferred Queue Full" (D-134).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPf } from '../support/test-pf';
import { udpUac } from '../faults/udp-uac';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { countDeferred } from '../../server/store/deferred-queue';

test('PF_TRUST=peers: a MESSAGE from an unknown source is refused 403, recorded as a decision, and nothing is queued', async () => {
  const pf = await startTestPf({ PF_TRUST: 'peers' });
  const uac = await udpUac();
  try {
    const alice = { id: await requireUserId(pf.db.store, 'sip:alice@example.com') };
    await upsertPolicyRule(pf.db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => uac.message({ to: pf.sipAddress.port, user: 'alice', text: `spam ${i}`, deadlineMs: 10_000 })));
    assert.deepEqual(answers.map((a) => a.status), [403, 403, 403, 403, 403]);
    assert.equal(await countDeferred(pf.db.store), 0);
    await pf.decisions.flush();
    const refused = (await pf.decisions.since(0, 100)).filter((d) => d.branch === 'TRUST-PEERS-MESSAGE');
    assert.equal(refused.length, 5, 'one decision per refused MESSAGE');
    assert.ok(refused.every((d) => d.outcome === 'REJECT' && d.servedUser === 'sip:alice@example.com'));
    assert.deepEqual(new Set(refused.map((d) => d.callId)), new Set(answers.map((a) => a.callId)));
  } finally {
    await uac.close();
    await pf.stop();
  }
});

test('deferred-queue quota: past PF_DEFERRED_MAX_PER_USER items a user\'s MESSAGEs get 480; other users are unaffected', async () => {
  const pf = await startTestPf({ PF_TRUST: 'open', PF_DEFERRED_MAX_PER_USER: '3' });
  const uac = await udpUac();
  try {
    for (const aor of ['sip:alice@example.com', 'sip:carol@example.com']) {
      const u = { id: await requireUserId(pf.db.store, aor) };
      await upsertPolicyRule(pf.db.store, u.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    }
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await uac.message({ to: pf.sipAddress.port, user: 'alice', text: `m${i}`, deadlineMs: 10_000 })).status);
    assert.deepEqual(statuses, [202, 202, 202, 480, 480, 480]);
    const alice = { id: await requireUserId(pf.db.store, 'sip:alice@example.com') };
    assert.equal(await countDeferred(pf.db.store, { userId: alice.id }), 3);
    assert.equal((await uac.message({ to: pf.sipAddress.port, user: 'carol', text: 'hi', deadlineMs: 10_000 })).status, 202);
  } finally {
    await uac.close();
    await pf.stop();
  }
});
