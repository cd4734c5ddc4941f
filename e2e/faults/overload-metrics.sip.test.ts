// Overload control as an operator sees it (issue 17, D-332): /metrics exposes the queue the
// control compares with PF_OVERLOAD_MAX_PENDING (pf_overload_pending) and counts the requests it
// refused by what was over its limit (pf_overload_refused_total{reason}). A burst far above a
// small pending limit, over real UDP, with the edge on the main thread and on its own; the lag
// limit is off, so every refusal is the queue's. No timing is asserted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition, valueOf } from '../support/prom-text';
import { startTestPf } from '../support/test-pf';
import { udpUac } from './udp-uac';

const BURST = 120;

for (const edgeThread of ['off', 'on'] as const) {
  test(`D-332 overload metrics (edge thread ${edgeThread}): refusals are counted by reason, at least one per 503 seen, and the pending queue is back to 0 once all is answered`, async () => {
    const pf = await startTestPf({ PF_OVERLOAD_MAX_PENDING: '2', PF_OVERLOAD_MAX_LAG_MS: '0', PF_SIP_RATE: '0', PF_EDGE_THREAD: edgeThread });
    const uac = await udpUac();
    try {
      const before = parseExposition(await pf.metrics.exposition());
      assert.equal(valueOf(before, 'pf_overload_refused_total', { reason: 'pending' }), 0);
      assert.equal(valueOf(before, 'pf_overload_refused_total', { reason: 'lag' }), 0, 'both reasons are exposed before the first refusal');

      // all sent in one turn: they reach the PF faster than it answers them
      const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => uac.message({ to: pf.sipAddress.port, user: 'alice', text: `m${i}`, deadlineMs: 30_000 })));
      const seen503 = answers.filter((a) => a.status === 503).length;
      assert.ok(seen503 > 0, 'the burst was above the limit');
      assert.equal(answers.filter((a) => a.status === 0).length, 0, 'every request got a final answer');

      // a retransmission sent before its 503 arrived can be admitted and still be in hand when the
      // client has its answer: the queue is read until it drains (a count that never came back
      // to 0 fails here)
      let after = parseExposition(await pf.metrics.exposition());
      for (const deadline = Date.now() + 10_000; valueOf(after, 'pf_overload_pending') !== 0 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 100));
        after = parseExposition(await pf.metrics.exposition());
      }
      assert.equal(valueOf(after, 'pf_overload_pending'), 0, 'everything handed to the PF was answered');
      const byPending = valueOf(after, 'pf_overload_refused_total', { reason: 'pending' });
      // a retransmission sent before its 503 arrived is refused again: at least one per 503 seen
      assert.ok(byPending >= seen503, `${byPending} counted, ${seen503} answered 503`);
      assert.equal(byPending, pf.edge?.stats().overloaded, 'the metric is every refusal the edge sent');
      assert.equal(valueOf(after, 'pf_overload_refused_total', { reason: 'lag' }), 0, 'the lag limit is off: no refusal is the lag\'s');
    } finally {
      await uac.close();
      await pf.stop();
    }
  });
}
