// /metrics on the whole product (issue 19): a scraper with PF_METRICS_TOKEN reads it, nobody else
// does; real SIP through the PF moves the request, response, decision and deferred-queue metrics
// by exactly what the other ends saw on the wire and what the decision log holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProduct } from '../support/product';
import { parseExposition, samplesOf, valueOf, type Sample } from '../support/prom-text';
import { wirePeer } from '../support/wire-peer';

const TOKEN = 'metrics-token-for-the-test-0123';

test('issue 19 metrics: /metrics needs the bearer token or a console session; SIP requests, responses, decisions and the deferred queue move by what happened', async () => {
  const product = await startProduct({ PF_METRICS_TOKEN: TOKEN });
  const bob = await wirePeer('bob');
  const alice = await wirePeer('alice');
  try {
    const scrape = async (): Promise<Sample[]> => {
      const r = await fetch(`${product.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parseExposition(await r.text());
    };
    // who may read it
    assert.equal((await fetch(`${product.httpUrl}/metrics`)).status, 401);
    assert.equal((await fetch(`${product.httpUrl}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status, 401);
    assert.equal((await product.login.fetch('/metrics')).status, 200, 'a signed-in operator reads it too');
    assert.equal((await fetch(`${product.httpUrl}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
    // the pcap of a session is behind the sign-in like the rest of the API, and says what is missing
    assert.equal((await fetch(`${product.httpUrl}/api/sessions/nope/pcap`)).status, 401);
    const none = await product.login.fetch('/api/sessions/nope/pcap');
    assert.equal(none.status, 404);
    assert.match(((await none.json()) as { error: string }).error, /no session nope/);

    const before = await scrape();
    assert.equal(valueOf(before, 'pf_database_up'), 1);
    assert.ok(samplesOf(before, 'pf_event_loop_lag_seconds').length === 1, 'the event-loop lag is exposed');
    assert.ok(samplesOf(before, 'nodejs_eventloop_lag_seconds').length === 1, 'prom-client\'s process metrics are there');

    // alice and bob register; bob sends her a MESSAGE, which the PF forwards to her device
    assert.equal(await alice.register(product.sipPort), 200);
    assert.equal(await bob.register(product.sipPort), 200);
    const m = await bob.request(product.sipPort, { method: 'MESSAGE', uri: 'sip:alice@example.com', headers: ['Content-Type: text/plain'], body: 'hello metrics' });
    assert.equal(m.status, 200);
    // carol allows deferral and has no device: a MESSAGE for her waits in the deferred queue
    const rule = await product.login.fetch(`/api/users/${encodeURIComponent('sip:carol@example.com')}/rules`, {
      method: 'PUT',
      body: JSON.stringify({ ruleId: 'cpm', serviceEnablers: ['CPM'], allowDefer: true }),
    });
    assert.equal(rule.status, 200, await rule.text());
    const deferred = await bob.request(product.sipPort, { method: 'MESSAGE', uri: 'sip:carol@example.com', headers: ['Content-Type: text/plain'], body: 'for later' });
    assert.equal(deferred.status, 202);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    // the PF's counts of the wire equal what its peers sent and received, retransmissions included
    const peers = [alice, bob];
    const seen = (dir: 'in' | 'out', method: string, status?: number) => peers.reduce((n, p) => n + p.count(dir, method, status), 0);
    assert.equal(delta('pf_sip_requests_total', { direction: 'in', method: 'REGISTER' }), seen('out', 'REGISTER'));
    assert.equal(delta('pf_sip_responses_total', { direction: 'out', method: 'REGISTER', code: '200' }), seen('in', 'REGISTER', 200));
    assert.equal(delta('pf_sip_requests_total', { direction: 'in', method: 'MESSAGE' }), seen('out', 'MESSAGE'));
    assert.equal(delta('pf_sip_requests_total', { direction: 'out', method: 'MESSAGE' }), seen('in', 'MESSAGE'));
    assert.equal(delta('pf_sip_responses_total', { direction: 'in', method: 'MESSAGE', code: '200' }), seen('out', 'MESSAGE', 200));
    assert.equal(delta('pf_sip_responses_total', { direction: 'out', method: 'MESSAGE', code: '200' }), seen('in', 'MESSAGE', 200));
    assert.equal(delta('pf_sip_responses_total', { direction: 'out', method: 'MESSAGE', code: '202' }), seen('in', 'MESSAGE', 202));
    assert.ok(seen('in', 'MESSAGE') >= 1 && seen('in', 'MESSAGE', 202) >= 1, 'the traffic happened');

    // decisions: the counters hold exactly the decision log of this fresh PF, by procedure and outcome
    const log = await (await product.login.fetch('/api/decisions?limit=1000')).json() as { decisions: Array<{ procedure: string; outcome: string }> };
    const byKey = new Map<string, number>();
    for (const d of log.decisions) byKey.set(`${d.procedure} ${d.outcome}`, (byKey.get(`${d.procedure} ${d.outcome}`) ?? 0) + 1);
    assert.ok(byKey.size > 0, 'the MESSAGEs were decided');
    const counted = new Map(samplesOf(after, 'pf_decisions_total').map((s) => [`${s.labels.procedure} ${s.labels.outcome}`, s.value]));
    assert.deepEqual(counted, byKey);

    // one item waits for carol; no session is open; the database was asked, and timed
    assert.equal(delta('pf_deferred_queue_depth', {}), 1);
    assert.equal(valueOf(after, 'pf_sessions', { mode: 'ACTIVE' }), 0);
    assert.equal(valueOf(after, 'pf_legs', { state: 'CONNECTED' }), 0);
    assert.equal(valueOf(after, 'pf_registrations'), 2);
    assert.ok(valueOf(after, 'pf_db_query_duration_seconds_count') > valueOf(before, 'pf_db_query_duration_seconds_count'), 'the queries of the MESSAGEs were timed');
  } finally {
    await bob.close();
    await alice.close();
    await product.stop();
  }
});
