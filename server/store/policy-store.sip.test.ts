// User preference rules, provider policy and their audit trail, on SQLite and PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY } from '../engine/policy';
import { listAudit } from './audit';
import { loadProviderPolicy, loadProviderPolicyOverrides, patchProviderPolicy, saveProviderPolicy } from './provider-policy';
import { databaseTargets } from './test-databases';
import { deletePolicyRule, listPolicyRules, loadUserPrefs, replacePolicyRules, upsertPolicyRule } from './user-prefs';

for (const target of databaseTargets()) {
  describe(`policy store on ${target.provider}`, () => {
    test('§11.6 prefs from stored rules; replace, upsert and delete are audited with before and after', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const bob = await d.user('sip:bob@example.com');
      assert.deepEqual(await loadUserPrefs(d.prisma, alice), { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' });

      const prefs = await replacePolicyRules(
        d.prisma,
        alice,
        [
          { ruleId: 'r2', serviceEnablers: ['IM'], allowStore: true },
          { ruleId: 'r1', serviceEnablers: ['CPM', 'IM'], allowDefer: true, allowOfflineStorage: true },
        ],
        'operator:ann',
      );
      assert.equal(prefs.allowStore, false, 'an IM-only rule must not grant CPM storage');
      assert.deepEqual(await loadUserPrefs(d.prisma, alice), { allowOfflineStorage: true, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: true, source: 'XDMS' });
      assert.deepEqual((await listPolicyRules(d.prisma, alice)).map((r) => [r.ruleId, r.serviceEnablers]), [['r1', ['CPM', 'IM']], ['r2', ['IM']]]);
      assert.deepEqual(await listPolicyRules(d.prisma, bob), [], 'rules are per user');

      await upsertPolicyRule(d.prisma, alice, { ruleId: 'r2', serviceEnablers: ['CPM'], allowStore: true }, 'operator:bo');
      assert.equal((await loadUserPrefs(d.prisma, alice)).allowStore, true);
      assert.equal(await deletePolicyRule(d.prisma, alice, 'r1', 'operator:bo'), true);
      assert.equal(await deletePolicyRule(d.prisma, alice, 'r1', 'operator:bo'), false);
      assert.deepEqual(await loadUserPrefs(d.prisma, alice), { allowOfflineStorage: false, allowStore: true, allowDefer: false, hasCpmOfflineStorageRule: false, source: 'XDMS' });

      const audit = await listAudit(d.prisma, { target: `user:${alice}` });
      assert.deepEqual(audit.map((a) => [a.action, a.actor]).reverse(), [
        ['policy.rules.replace', 'operator:ann'],
        ['policy.rule.upsert', 'operator:bo'],
        ['policy.rule.delete', 'operator:bo'],
      ]);
      const replace = audit[2];
      assert.deepEqual(replace.before, []);
      assert.deepEqual((replace.after as { ruleId: string }[]).map((r) => r.ruleId), ['r1', 'r2']);
      const upsert = audit[1];
      assert.deepEqual(upsert.before, { ruleId: 'r2', serviceEnablers: ['IM'], allowOfflineStorage: null, allowStore: true, allowDefer: null });
      assert.deepEqual(upsert.after, { ruleId: 'r2', serviceEnablers: ['CPM'], allowOfflineStorage: null, allowStore: true, allowDefer: null });
      assert.equal(audit[0].after, null);
    });

    test('a refused rule set changes nothing and writes no audit entry', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      await replacePolicyRules(d.prisma, alice, [{ ruleId: 'keep', serviceEnablers: ['CPM'], allowDefer: true }], 'a');
      await assert.rejects(replacePolicyRules(d.prisma, alice, [{ ruleId: 'x', serviceEnablers: ['CPM'] }, { ruleId: 'x', serviceEnablers: ['CPM'] }], 'b'), /appears twice/);
      assert.deepEqual((await listPolicyRules(d.prisma, alice)).map((r) => r.ruleId), ['keep']);
      assert.equal((await listAudit(d.prisma)).length, 1);
    });

    test('the audit entry shares the transaction: a failing write leaves neither rule nor entry', async () => {
      const d = await target.fresh();
      // A user id that does not exist violates the foreign key inside the transaction.
      await assert.rejects(replacePolicyRules(d.prisma, 'no-such-user', [{ ruleId: 'r', serviceEnablers: ['CPM'], allowDefer: true }], 'a'));
      assert.equal(await d.prisma.policyRule.count(), 0);
      assert.equal(await d.prisma.auditEntry.count(), 0);
    });

    test('§2 provider policy: defaults until saved; stored as overrides; patch merges; invalid input refused; audited', async () => {
      const d = await target.fresh();
      assert.deepEqual(await loadProviderPolicy(d.prisma), DEFAULT_POLICY);

      const saved = await saveProviderPolicy(d.prisma, { iwfByeScope: 'IWF_STREAMS_ONLY', imdnAggregation: { enabled: true } }, 'operator:ann');
      assert.equal(saved.ok, true);
      assert.deepEqual(await loadProviderPolicyOverrides(d.prisma), { iwfByeScope: 'IWF_STREAMS_ONLY', imdnAggregation: { ...DEFAULT_POLICY.imdnAggregation, enabled: true } });

      const patched = await patchProviderPolicy(d.prisma, { imdnAggregation: { windowMs: 250 }, byeRelayTimeoutMs: 8000 }, 'operator:bo');
      assert.equal(patched.ok, true);
      const p = await loadProviderPolicy(d.prisma);
      assert.equal(p.iwfByeScope, 'IWF_STREAMS_ONLY', 'patch keeps earlier overrides');
      assert.deepEqual(p.imdnAggregation, { ...DEFAULT_POLICY.imdnAggregation, enabled: true, windowMs: 250 });
      assert.equal(p.byeRelayTimeoutMs, 8000);
      assert.equal(p.imdnCacheTtlSec, DEFAULT_POLICY.imdnCacheTtlSec);

      const bad = await patchProviderPolicy(d.prisma, { pfMode: 'relay' as never, nonsense: 1 } as never, 'operator:eve');
      assert.equal(bad.ok, false);
      assert.ok(!bad.ok && bad.errors.some((e) => e.field === 'pfMode'));
      assert.equal((await loadProviderPolicy(d.prisma)).iwfByeScope, 'IWF_STREAMS_ONLY', 'a refused patch changes nothing');

      const back = await saveProviderPolicy(d.prisma, {}, 'operator:ann');
      assert.ok(back.ok);
      assert.deepEqual(await loadProviderPolicy(d.prisma), DEFAULT_POLICY, 'save replaces: missing settings return to defaults');

      const audit = (await listAudit(d.prisma, { target: 'provider-policy' })).reverse();
      assert.deepEqual(audit.map((a) => a.actor), ['operator:ann', 'operator:bo', 'operator:ann'], 'the refused patch is not audited');
      assert.deepEqual(audit[1].before, { iwfByeScope: 'IWF_STREAMS_ONLY', imdnAggregation: { ...DEFAULT_POLICY.imdnAggregation, enabled: true } });
      assert.deepEqual(audit[2].after, {});
    });

    test('a stored policy the validator refuses stops the load with the field named', async () => {
      const d = await target.fresh();
      await d.prisma.providerPolicy.create({ data: { id: 1, values: JSON.stringify({ byeRelayTimeoutMs: 'soon' }) } });
      await assert.rejects(loadProviderPolicy(d.prisma), /byeRelayTimeoutMs/);
    });
    test('WHAT-IF apply (D-270): a save and the audit of the diff it was shown land together or not at all', async () => {
      const d = await target.fresh();
      const alice = await d.user('sip:alice@example.com');
      const shown = { action: 'what-if.applied', after: { window: 'hour', changedCalls: 3, groups: [{ branch: 'IMDN-DLV-1', user: 'sip:alice@example.com' }] } };
      const saved = await saveProviderPolicy(d.prisma, { iwfByeScope: 'IWF_STREAMS_ONLY' }, 'operator:ann', { alsoAudit: shown });
      assert.ok(saved.ok);
      await upsertPolicyRule(d.prisma, alice, { ruleId: 'r1', serviceEnablers: ['CPM'], allowDefer: true }, 'operator:ann', { alsoAudit: shown });
      for (const target of ['provider-policy', `user:${alice}`]) {
        const audit = await listAudit(d.prisma, { target });
        assert.deepEqual(audit.map((a) => [a.action, a.actor]).sort(), [[target === 'provider-policy' ? 'provider-policy.update' : 'policy.rule.upsert', 'operator:ann'], ['what-if.applied', 'operator:ann']].sort());
        assert.deepEqual(audit.find((a) => a.action === 'what-if.applied')?.after, shown.after);
      }

      // the diff's entry cannot be written (here: it does not serialise): the change does not land either
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const before = await loadProviderPolicyOverrides(d.prisma);
      const entries = (await listAudit(d.prisma)).length;
      await assert.rejects(saveProviderPolicy(d.prisma, { iwfByeScope: 'WHOLE_SESSION', imdnDirectForward: true }, 'operator:bo', { alsoAudit: { action: 'what-if.applied', after: cyclic } }));
      await assert.rejects(upsertPolicyRule(d.prisma, alice, { ruleId: 'r1', serviceEnablers: ['CPM'], allowDefer: false }, 'operator:bo', { alsoAudit: { action: 'what-if.applied', after: cyclic } }));
      assert.deepEqual(await loadProviderPolicyOverrides(d.prisma), before);
      assert.equal((await loadUserPrefs(d.prisma, alice)).allowDefer, true);
      assert.equal((await listAudit(d.prisma)).length, entries);
    });
  });
}
