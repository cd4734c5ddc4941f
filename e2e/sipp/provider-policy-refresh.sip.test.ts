// The provider policy in a cluster: the console of any instance edits it in the shared database,
// and every instance must apply it, not only the one whose console saved it (D-316).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { udpUac } from '../faults/udp-uac';
import { startTestPf } from '../support/test-pf';
import { patchProviderPolicy } from '../../server/store/provider-policy';

test('DSP-8, D-316 over SIP: an unmatched-request status saved through another instance\'s console (the shared database, no policyChanged here) applies here within seconds: 403 before, 404 after', async () => {
  const pf = await startTestPf();
  const uac = await udpUac();
  try {
    const unmatched = () => uac.message({ to: pf.sipAddress.port, user: 'carol', text: 'no CPM feature tag', cpmTag: false, deadlineMs: 10_000 });
    assert.equal((await unmatched()).status, 403);
    const saved = await patchProviderPolicy(pf.db.store, { unmatchedRequestResponse: 404 }, 'console@instance-b');
    assert.ok(saved.ok);
    let status = 403;
    for (let n = 1; n <= 24 && status !== 404; n++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await unmatched()).status;
    }
    assert.equal(status, 404, 'the policy saved on another instance never applied here');
  } finally {
    await uac.close();
    await pf.stop();
  }
});
