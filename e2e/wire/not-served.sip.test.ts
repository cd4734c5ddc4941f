// MESSAGE-1, SUBSCRIBE-1 (D-260): a request for a user this PF does not serve is refused 404 by an
// engine decision, recorded in the decision log the console searches, like INVITE-1 (D-201).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchDecisions } from '../../server/store/decision-search';
import { withPfAndPeers } from '../support/raw-sip';

const DEFERRED_ICSI = '*;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.deferred"';

test('MESSAGE-1, SUBSCRIBE-1: a MESSAGE and a deferred-messages SUBSCRIBE for a user the PF does not serve get 404, each an engine decision shown in the decision log', () =>
  withPfAndPeers(1, async (pf, [stranger]) => {
    const port = pf.sipAddress.port;
    const message = await stranger.request(port, { uri: 'sip:nobody@example.com', from: 'sip:zed@example.net', headers: ['Content-Type: text/plain'], body: Buffer.from('hello') });
    assert.equal(message?.startLine, 'SIP/2.0 404 Not Found');
    const subscribe = await stranger.request(port, {
      method: 'SUBSCRIBE', uri: 'sip:nobody@example.com', from: 'sip:nobody@example.com', to: 'sip:nobody@example.com',
      headers: ['Event: deferred-messages', 'Expires: 600', `Accept-Contact: ${DEFERRED_ICSI}`, `Contact: <sip:nobody@127.0.0.1:${stranger.port}>`],
    });
    assert.equal(subscribe?.startLine, 'SIP/2.0 404 Not Found');
    await pf.decisions.flush();
    const message1 = (await searchDecisions(pf.db.store, { branch: 'MESSAGE-1' }, 10)).decisions;
    const subscribe1 = (await searchDecisions(pf.db.store, { branch: 'SUBSCRIBE-1' }, 10)).decisions;
    assert.deepEqual(message1.map((d) => [d.procedure, d.outcome]), [['DSP', 'REJECT']]);
    assert.deepEqual(subscribe1.map((d) => [d.procedure, d.outcome]), [['DSP', 'REJECT']]);
    assert.match(message1[0].summary, /sip:nobody@example\.com.*404/);
  }));
