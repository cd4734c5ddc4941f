// The console's ladder is fed by the session code: every SIP message on a session's legs is
// published as `sip:message` on the live bus, in order, with its leg, direction and Reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports';
import { runSipp } from '../../support/sipp';
import type { SipMessageRecord } from '../../../server/live/events';
import { expectOk, networkKeys, startDevice, startSessionPf, scenario, waitFor } from './session-harness';

test('BYE-1, CLS-1: a released 1-1 session leaves its ladder on the live bus (INVITE both legs, BYE in and out with the Reason, answers)', async () => {
  const pfPort = await freePort();
  const h = await startSessionPf({ topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${pfPort}` }] } });
  const trace: Array<Omit<SipMessageRecord, 'seq'>> = [];
  h.pf.bus.on('sip:message', (m) => trace.push(m));
  const dev = await startDevice(h.target, 'device.xml');
  try {
    const keys = { ...networkKeys({ from_user: 'bob', focus: 'bob', contact_params: '', icsi: 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session' }), reason: 'SIP;cause=200;text="Call completed"' };
    const peer = await runSipp({ scenario: scenario('network-send-bye.xml'), target: h.target, localPort: pfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '300'] });
    expectOk(peer, 'remote PF');
    expectOk(await dev.sipp.done, 'device');
    await waitFor(() => trace.some((m) => m.method === 'BYE' && m.direction === 'out' && m.status === undefined));

    const lines = trace.map((m) => `${m.peer} ${m.direction} ${m.status ?? m.method}`);
    for (const expected of ['CLIENT out INVITE', 'CLIENT in 200', 'REMOTE_PF in BYE', 'CLIENT out BYE', 'CLIENT in 200', 'REMOTE_PF out 200']) {
      assert.ok(lines.includes(expected), `missing "${expected}" in ${lines.join(' | ')}`);
    }
    const sessionIds = new Set(trace.map((m) => m.sessionId));
    assert.equal(sessionIds.size, 1, 'every message belongs to the one session');
    const byeIn = trace.find((m) => m.peer === 'REMOTE_PF' && m.method === 'BYE' && m.direction === 'in');
    const byeOut = trace.find((m) => m.peer === 'CLIENT' && m.method === 'BYE' && m.direction === 'out' && m.status === undefined);
    assert.match(byeIn?.reason ?? '', /cause=200/);
    assert.match(byeOut?.reason ?? '', /cause=200/, 'the Reason is propagated to the client leg');
    assert.ok(trace.indexOf(byeIn!) < trace.indexOf(byeOut!), 'in order');
  } finally {
    await dev.sipp.stop();
    await h.stop();
  }
});
