// Structured logs (issue 19): the PF writes one JSON object per line, and every line written
// while a SIP request is handled carries the request's Call-ID and served user, also lines
// written after the handler awaited the database (the decisions it recorded).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startPfProcess } from '../support/pf-process';
import { freePort } from '../support/ports';
import { wirePeer } from '../support/wire-peer';

const CPM_MSG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

test('issue 19 logs: a SIP request\'s log lines are JSON with its Call-ID and served user; so are the decisions made for it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-logs-'));
  const pf = await startPfProcess({ DATABASE_URL: `file:${path.join(dir, 'pf.db')}`, SIP_PORT: String(await freePort()), HTTP_PORT: '0', LOG_LEVEL: 'debug' });
  const alice = await wirePeer('alice');
  const dave = await wirePeer('dave', 'remote.example.net');
  try {
    assert.equal(await alice.register(pf.sipPort), 200);
    // dave is nobody the PF serves: the MESSAGE is terminating, for alice
    const m = await dave.request(pf.sipPort, { method: 'MESSAGE', uri: 'sip:alice@example.com', headers: [CPM_MSG, 'Content-Type: text/plain'], body: 'log me' });
    assert.equal(m.status, 200);
    await pf.kill('SIGTERM');
    const lines = pf.output().split('\n').filter((l) => l.startsWith('{'));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // every log line is an object with a time, a level, a scope and a message
    assert.ok(entries.length > 0);
    for (const e of entries) {
      assert.ok(typeof e.time === 'string' && !Number.isNaN(Date.parse(e.time)), JSON.stringify(e));
      assert.ok(['debug', 'info', 'warn', 'error'].includes(e.level as string), JSON.stringify(e));
      assert.equal(typeof e.scope, 'string');
      assert.equal(typeof e.msg, 'string');
    }
    const ofCall = entries.filter((e) => e.callId === m.callId);
    assert.ok(ofCall.some((e) => /^MESSAGE sip:alice@example.com from udp\//.test(e.msg as string)), 'the request is logged with its Call-ID');
    assert.ok(ofCall.some((e) => /^decision DSP-/.test(e.msg as string)), 'the dispatch decision, recorded after awaits, carries it too');
    for (const e of ofCall) assert.equal(e.user, 'sip:alice@example.com', JSON.stringify(e));
    // and a line about the request that knows no Call-ID does not exist: each mention of it is bound
    for (const e of entries) if ((e.msg as string).includes(m.callId)) assert.equal(e.callId, m.callId);
  } finally {
    await alice.close();
    await dave.close();
    await pf.kill();
  }
});
