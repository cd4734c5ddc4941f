// Overload control tells a burst from a standing queue (issue 17, D-348). A burst that takes the
// pending count above PF_OVERLOAD_MAX_PENDING, but not to four times it, is carried whole while
// the queue has stood high for less than PF_OVERLOAD_PENDING_GRACE_MS: a PF at three quarters of
// its capacity meets such bursts after every pause of its main thread, and a 503 there is the
// wrong answer. Past four times the limit the excess is refused at once, grace or not. The grace
// is set far longer than the test, so nothing here depends on this machine's speed. Three places
// admit: the edge's thread, the main thread with the edge on it, and the PF's trust middleware
// behind an edge of another process speaking drachtio's protocol (as a drachtio-server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/store/database';
import { freePort } from '../support/ports';
import { startPfProcess } from '../support/pf-process';
import { startEdge } from '../../server/edge';
import { udpUac } from './udp-uac';
import { upsertPolicyRule } from '../../server/store/user-prefs';
import { requireUserId } from '../../server/store/users';
import { listDeferred } from '../../server/store/deferred-queue';

const LIMIT = 4;

const MODES: Array<{ name: string; env: Record<string, string>; external: boolean }> = [
  { name: 'edge thread on', env: { PF_EDGE_THREAD: 'on' }, external: false },
  { name: 'edge thread off', env: { PF_EDGE_THREAD: 'off' }, external: false },
  { name: 'external drachtio', env: {}, external: true },
];

/** The PF on its embedded edge, or behind a SIP edge of the test's process that applies no overload control of its own. */
async function startPf(env: Record<string, string>, external: boolean): Promise<{ sipPort: number; close(): Promise<void> }> {
  if (!external) {
    const pf = await startPfProcess({ ...env, SIP_PORT: String(await freePort()) });
    return { sipPort: pf.sipPort, close: () => pf.kill('SIGKILL') };
  }
  const secret = 'overload-burst';
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret } });
  const pf = await startPfProcess({ ...env, DRACHTIO_HOST: '127.0.0.1', DRACHTIO_PORT: String(edge.controlAddress.port), DRACHTIO_SECRET: secret, SIP_PORT: String(edge.sipAddress.port) });
  return { sipPort: edge.sipAddress.port, close: async () => { await pf.kill('SIGKILL'); await edge.close(); } };
}

for (const mode of MODES) test(`D-348 overload (${mode.name}): a burst within four times the pending limit is carried whole during the grace; beyond it the excess gets 503 and nothing accepted is lost`, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-overload-burst-'));
  const databaseUrl = `file:${path.join(dir, 'pf.db')}`;
  const pf = await startPf({
    DATABASE_URL: databaseUrl, HTTP_PORT: '0', PF_OVERLOAD_MAX_PENDING: String(LIMIT),
    PF_OVERLOAD_PENDING_GRACE_MS: '600000', PF_OVERLOAD_MAX_LAG_MS: '0', PF_SIP_RATE: '0', ...mode.env,
  }, mode.external);
  const db = await openDatabase(databaseUrl, { busyTimeoutMs: 5000 }); // beside the running PF
  const uac = await udpUac();
  try {
    const alice = { id: await requireUserId(db.store, 'sip:alice@example.com') };
    await upsertPolicyRule(db.store, alice.id, { ruleId: 'defer', serviceEnablers: ['CPM'], allowDefer: true }, 'test');
    assert.equal((await uac.message({ to: pf.sipPort, user: 'alice', text: 'warm-up' })).status, 202);

    // three times the limit, sent in one turn: each waits on the deferred queue's write
    const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `b${i}`, deadlineMs: 30_000 })));
    assert.deepEqual(burst.map((a) => a.status), burst.map(() => 202), 'a burst under four times the limit is carried whole');

    // far beyond four times the limit: the excess is refused although the grace has not run out
    const flood = await Promise.all(Array.from({ length: 150 }, (_, i) => uac.message({ to: pf.sipPort, user: 'alice', text: `f${i}`, deadlineMs: 30_000 })));
    const statuses = flood.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s !== 202 && s !== 503), [], `every request gets a final answer, 202 or 503: ${statuses.join(',')}`);
    assert.ok(statuses.includes(503), 'past four times the limit the excess is answered 503');
    assert.ok(statuses.filter((s) => s === 202).length >= 3 * LIMIT, 'up to four times the limit is taken on');

    const queued = new Set((await listDeferred(db.store, alice.id, 100_000)).map((i) => i.sourceKey.split('|')[0]));
    const acked = [...burst, ...flood].filter((a) => a.status === 202).map((a) => a.callId);
    assert.deepEqual(acked.filter((c) => !queued.has(c)), [], 'answered 202 but not queued');
    assert.deepEqual(flood.filter((a) => a.status === 503 && queued.has(a.callId)).map((a) => a.callId), [], 'answered 503 but queued');
    assert.equal(queued.size, acked.length + 1, 'the queue holds the warm-up and the 202s, nothing else');
  } finally {
    await uac.close();
    await db.close();
    await pf.close();
  }
});
