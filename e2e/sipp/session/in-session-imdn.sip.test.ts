// Notifications inside a session over real SIP (in-dialog MESSAGE as the chat carrier, D-103):
// isComposing attribution for IMDN-RX (§12.6) and the served clients' own notifications (IMDN-TX).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import { ALICE, SESSION_ICSI, decisions, expectOk, networkKeys, received, scenario, startDevice, startSessionPf } from './session-harness';

const INTERWORKING = '<cpmimdn:interworking-notification><cpmimdn:status><cpmimdn:legacy-sms/></cpmimdn:status></cpmimdn:interworking-notification>';

test("IMDN-RX-2a-iii-2, AMB-11: an isComposing without a CPIM wrapper from bob in a 1-1 session counts as bob's (§12.6): his later interworking notice for alice's chat message is dropped", async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
  const dev = await startDevice(h.target, 'device-chat.xml', { keys: { message_id: 'm-isc', peer: 'sip:bob@net.example.net' } });
  try {
    const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi: SESSION_ICSI }), reason: 'SIP;cause=200' };
    const peer = await runSipp({ scenario: scenario('network-iscomposing.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] });
    expectOk(peer, 'remote PF');
    const d = await dev.sipp.done;
    expectOk(d, 'device');
    assert.ok(received(d, 'MESSAGE').some((m) => /application\/im-iscomposing\+xml/.test(m)), 'the isComposing reached alice\'s client');

    // MATRIX RX-2a-iii-2: bob's delivery report for m-isc is already cached
    h.pf.state.rxCache.apply({ kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: 'sip:bob@net.example.net', messageId: 'm-isc' }, type: 'delivery', status: 'delivered' }, Date.now());
    const iwk = await runSipp({ scenario: scenario('network-imdn.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 10, keys: { from_user: 'bob', message_id: 'm-isc', notification: INTERWORKING } });
    expectOk(iwk, 'interworking notice');
    const ds = await decisions(h.pf);
    const rx = ds.filter((x) => x.procedure === 'IMDN-RX');
    assert.ok(rx.some((x) => x.branch === 'IMDN-RX-2a-iii-2' && x.outcome === 'DROP'), rx.map((x) => `${x.branch}:${x.outcome}`).join(' '));
    assert.match(iwk.trace, /SIP\/2\.0 200 /, 'the dropped notice is answered by the PF');
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
