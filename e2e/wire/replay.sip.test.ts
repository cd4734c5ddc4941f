// Replay and what-if over real SIP (issue 20): a PF driven over its sockets through the MESSAGE
// and IMDN procedures (the BYE ones: e2e/sipp/session/bye-replay.sip.test.ts) records every engine call; replaying the recorded window reproduces
// every decision exactly, and the same window under a flipped preference shows what would change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkReplay } from '../../server/engine/replay/replay';
import { whatIf } from '../../server/engine/replay/what-if';
import { recordedCalls } from '../../server/store/engine-recording';
import { withPfAndPeers, type RawPeer } from '../support/raw-sip';
import { decisionsInOrder } from '../../server/store/decision-search';

const MSG_TAG = 'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';
const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';

function standalone(id: string, from: string, to: string, text: string): Buffer {
  return Buffer.concat([
    Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ${id}\r\nDateTime: 2026-12-04T10:00:00Z\r\nimdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n\r\nContent-Type: text/plain;charset=ISO-8859-1\r\n\r\n`),
    // latin1 bytes, not UTF-8: the record must keep them exact (D-112)
    Buffer.from(text, 'latin1'),
  ]);
}

function notification(from: string, to: string, aboutId: string, status: 'delivered' | 'displayed'): Buffer {
  const kind = status === 'delivered' ? 'delivery' : 'display';
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${aboutId}</message-id><datetime>2026-12-04T10:00:00Z</datetime><${kind}-notification><status><${status}/></status></${kind}-notification></imdn>`;
  return Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n${randomBytes(6).toString('hex')}\r\nDateTime: 2026-12-04T10:00:01Z\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
}

const execFileP = promisify(execFile);
const code = (m: { startLine: string } | undefined) => (m ? Number(m.startLine.split(' ')[1]) : 0);

async function send(peer: RawPeer, port: number, o: { method?: string; uri: string; from: string; headers?: string[]; body?: Buffer }) {
  return code(await peer.request(port, o));
}

test('REPLAY-EQ, WHAT-IF 11.1-5: recorded SIP traffic replays to the same decisions; allow-defer flipped for alice turns her 480 into a deferral', () =>
  withPfAndPeers(3, async (pf, [alicePhone, bobPhone, network]) => {
    const port = pf.sipAddress.port;
    const from = new Date(Date.now() - 1000);
    assert.equal(await bobPhone.register(port, 'bob'), 200);

    // PAGER 11.1-5: alice has no client yet
    const offline = await send(network, port, { uri: ALICE, from: 'sip:carol@remote.example', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: standalone('m-offline', 'sip:carol@remote.example', ALICE, 'caf\xe9 \xff') });
    assert.ok([480, 202].includes(offline), `offline answer ${offline}`);

    // PAGER 11.1-4: delivered to alice's client; the fork's answer; a report on her behalf may follow
    assert.equal(await alicePhone.register(port, 'alice'), 200);
    const online = await send(network, port, { uri: ALICE, from: 'sip:carol@remote.example', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: standalone('m-online', 'sip:carol@remote.example', ALICE, 'na\xefve') });
    assert.equal(online, 200);
    await alicePhone.waitForRequests(1);

    // IMDN-TX: alice's client reports on it toward carol (through the core: CORE decides)
    await send(alicePhone, port, { uri: 'sip:carol@remote.example', from: ALICE, headers: ['Content-Type: message/cpim'], body: notification(ALICE, 'sip:carol@remote.example', 'm-online', 'displayed') });

    // IMDN-RX / IMDN-DLV: a report for bob about a message he sent, delivered to his client, twice (the duplicate is dropped)
    await send(bobPhone, port, { uri: 'sip:dave@remote.example', from: BOB, headers: [MSG_TAG, 'Content-Type: message/cpim'], body: standalone('b-1', BOB, 'sip:dave@remote.example', 'hi') });
    const report = notification('sip:dave@remote.example', BOB, 'b-1', 'delivered');
    for (let i = 0; i < 2; i++) assert.equal(await send(network, port, { uri: BOB, from: 'sip:dave@remote.example', headers: [MSG_TAG, 'Content-Type: message/cpim'], body: report }), 200);

    await pf.decisions.flush();
    await pf.recorder!.flush();
    const calls = await recordedCalls(pf.db.store, from, new Date());

    const procedures = new Set(calls.map((c) => c.p));
    for (const p of ['dispatch', 'deliverStandalone', 'standaloneForkOutcome', 'sendImdn', 'receiveImdn', 'deliverImdn', 'imdnForkOutcome', 'routeToCore', 'generateImdn'] as const) {
      assert.ok(procedures.has(p), `${p} was recorded (recorded: ${[...procedures].join(', ')})`);
    }

    // Replay: every recorded decision, and every effect, comes out the same.
    assert.deepEqual(checkReplay(calls).mismatches, []);

    // Every recorded decision is in the decision log (the record refers to what the console shows).
    const logged = (await decisionsInOrder(pf.db.store)).map((d) => `${d.branch} ${d.outcome}`);
    for (const c of calls) for (const [branch, outcome] of c.d) {
      const i = logged.indexOf(`${branch} ${outcome}`);
      assert.ok(i >= 0, `${branch} ${outcome} recorded but not logged`);
      logged.splice(i, 1);
    }

    // What-if: alice's allow-defer flipped changes only her offline message.
    const offlineDeferred = offline === 202;
    const diff = whatIf(calls, { prefs: { [ALICE]: { allowDefer: !offlineDeferred } } });
    const pager = diff.groups.filter((g) => g.branch === '11.1-5');
    assert.deepEqual(pager.map((g) => [g.user, g.outcomes]), [[ALICE, offlineDeferred ? { 'DEFER → REJECT': 1 } : { 'REJECT → DEFER': 1 }]]);
    assert.deepEqual(offlineDeferred ? pager[0].vanishedEffects : pager[0].newEffects, { 'DEFER MESSAGE': 1, 'SEND_RESP 202': 1 });
    assert.ok(diff.groups.every((g) => g.user === ALICE), 'nobody else is affected');
    assert.equal(whatIf(calls, {}).changedCalls, 0);

    // The CLI prints the same diff, reading the PF's database.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'replay-cli-'));
    const prefsFile = path.join(dir, 'alice.json');
    writeFileSync(prefsFile, JSON.stringify({ allowDefer: !offlineDeferred }));
    const window = ['--from', from.toISOString(), '--to', new Date().toISOString()];
    const cli = (args: string[]) => execFileP(process.execPath, ['--import', 'tsx', 'server/replay/cli.ts', ...window, ...args], { env: { ...process.env, DATABASE_URL: pf.config.databaseUrl } });
    const printed = JSON.parse((await cli(['--prefs', `${ALICE}=${prefsFile}`, '--json'])).stdout);
    assert.deepEqual(printed, JSON.parse(JSON.stringify(diff)));
    assert.match((await cli(['--prefs', `${ALICE}=${prefsFile}`])).stdout, offlineDeferred ? /11\.1-5 {2}sip:alice@example\.com {2}1 call\(s\)\n {2}outcomes: DEFER → REJECT/ : /11\.1-5 {2}sip:alice@example\.com {2}1 call\(s\)\n {2}outcomes: REJECT → DEFER/);
    // without a proposal it checks replay equality
    assert.match((await cli([])).stdout, new RegExp(`^${calls.length} engine call\\(s\\) replayed, 0 differ`));
  }));
