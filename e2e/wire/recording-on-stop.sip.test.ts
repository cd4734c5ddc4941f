// D-325: what the engine decided before the PF stopped is in its recording. The recorder's last
// batch is written at the stop, through the SQLite writer thread that the decision log closed
// first: every stop lost it ("N calls not written: the SQLite writer thread exited"), and with it
// the calls every SIP test's replay check (e2e/support/test-pf.ts) was meant to cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../server/store/database';
import { recordedCalls } from '../../server/store/engine-recording';
import { rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

test('D-325, TIME-TRAVEL: the engine calls of a MESSAGE handled just before the stop are in the recording read after it', async () => {
  const pf = await startTestPf();
  const databaseUrl = pf.config.databaseUrl;
  const alice = await rawPeer();
  const bob = await rawPeer();
  try {
    const port = pf.sipAddress.port;
    assert.equal(await alice.register(port, 'alice'), 200);
    const r = await bob.request(port, { uri: 'sip:alice@example.com', from: 'sip:bob@example.com', headers: [MSG_TAG, 'Content-Type: text/plain'], body: Buffer.from('hello before the stop') });
    assert.equal(r?.startLine, 'SIP/2.0 200 OK');
  } finally {
    for (const p of [alice, bob]) await p.close();
    await pf.stop();
  }
  const db = await openDatabase(databaseUrl);
  try {
    const procedures = (await recordedCalls(db.store, new Date(0), new Date(8.64e15))).map((c) => c.p); // the far bound as test-pf.ts reads it
    assert.ok(procedures.includes('dispatch'), `recorded: ${JSON.stringify(procedures)}`);
  } finally {
    await db.close();
  }
});
