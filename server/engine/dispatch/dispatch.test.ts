import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch } from './dispatch';
import { withPolicy, type PolicyOverrides } from '../policy';
import type { SipMessageView } from '../message';

const enc = (svc: string) => `urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.${svc}`;
const ac = (...svcs: string[]) => `*;+g.3gpp.icsi-ref="${svcs.map(enc).join(',')}"`;
const CHATBOT_SA = '+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.chatbot.sa"';

const CPIM_TEXT = [
  'From: <sip:bob@ims.beta.example>',
  'To: <sip:alice@ims.alpha.example>',
  'NS: imdn <urn:ietf:params:imdn>',
  'imdn.Message-ID: Msg1',
  '',
  'Content-Type: text/plain;charset=utf-8',
  '',
  'hello message/imdn+xml',
].join('\r\n');

const cpimImdn = (id: string) =>
  [
    'From: <sip:bob@ims.beta.example>',
    'To: <sip:alice@ims.alpha.example>',
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${id}`,
    '',
    'Content-Type: message/imdn+xml',
    'Content-Disposition: notification',
    '',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
  ].join('\r\n');

function req(method: string, headers: Record<string, string[]>, body = ''): SipMessageView {
  return { method, uri: 'sip:+15551230001@ims.alpha.example', headers: { 'call-id': ['c1@x'], cseq: ['1 ' + method], ...headers }, body };
}

const run = (r: SipMessageView, p: PolicyOverrides = {}) => dispatch({ request: r, policy: withPolicy(p), txn: 't1' });
const branches = (res: ReturnType<typeof dispatch>) => res.decisions.map((d) => d.branch);

function assertDispatched(res: ReturnType<typeof dispatch>, handler: string, skip: string[] = []) {
  assert.equal(res.handler, handler);
  assert.deepEqual(res.skip, skip);
  assert.deepEqual(res.effects, [{ kind: 'DISPATCH', handler, skip }]);
}

function assertRejected(res: ReturnType<typeof dispatch>, code = 403) {
  assert.equal(res.handler, undefined);
  assert.deepEqual(res.effects.map((e) => e.kind), ['SEND_RESP']);
  const e = res.effects[0];
  assert.ok(e.kind === 'SEND_RESP');
  assert.equal(e.code, code);
  assert.equal(e.txn, 't1');
  assert.ok(branches(res).includes('DSP-8'));
}

test('DSP-1-msg: MESSAGE with {msg} and a CPIM text body goes to 8.3.1.1, standalone path', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('msg')], 'content-type': ['message/cpim'] }, CPIM_TEXT));
  assertDispatched(res, '8.3.1.1');
  assert.equal(res.imdn, false);
  assert.deepEqual(branches(res), ['DSP-0', 'DSP-1', 'DSP-1b']);
});

test('DSP-1a: MESSAGE whose CPIM content is message/imdn+xml takes the IMDN path', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('msg')], 'content-type': ['message/cpim'] }, cpimImdn('n1')));
  assertDispatched(res, '8.3.1.1');
  assert.equal(res.imdn, true);
  assert.ok(branches(res).includes('DSP-1a'));
  assert.ok(!branches(res).includes('DSP-1b'));
});

test('DSP-1b: the text "message/imdn+xml" inside a text/plain body does not make it an IMDN', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('msg')], 'content-type': ['Message/CPIM'] }, CPIM_TEXT));
  assert.equal(res.imdn, false);
  assert.ok(branches(res).includes('DSP-1b'));
  assert.ok(!branches(res).includes('DSP-1a'));
});

test('DSP-1-large: MESSAGE with {largemsg} goes to 8.3.1.1', () => {
  assertDispatched(run(req('MESSAGE', { 'accept-contact': [ac('largemsg')] }, 'x')), '8.3.1.1');
});

test('DSP-1-sess: MESSAGE with {session} and an IMDN body goes to 8.3.1.1, IMDN path', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('session')], 'content-type': ['message/cpim'] }, cpimImdn('n2')));
  assertDispatched(res, '8.3.1.1');
  assert.equal(res.imdn, true);
});

test('DSP-1-ft: MESSAGE with {filetransfer} and an IMDN body goes to 8.3.1.1, IMDN path', () => {
  const res = run(req('MESSAGE', { a: [ac('filetransfer')], 'content-type': ['message/cpim'] }, cpimImdn('n3')));
  assertDispatched(res, '8.3.1.1');
  assert.equal(res.imdn, true);
});

test('DSP-1c: a multipart/mixed aggregate of two IMDNs is accepted on the IMDN path', () => {
  const body = ['--b1', 'Content-Type: message/cpim', '', cpimImdn('p1'), '--b1', 'Content-Type: message/cpim', '', cpimImdn('p2'), '--b1--', ''].join('\r\n');
  const res = run(req('MESSAGE', { 'accept-contact': [ac('msg')], 'content-type': ['multipart/mixed;boundary="b1"'] }, body));
  assertDispatched(res, '8.3.1.1');
  assert.equal(res.imdn, true);
  assert.equal(res.aggregated, true);
  assert.ok(branches(res).includes('DSP-1c'));
});

test('DSP-2: INVITE with {largemsg} goes to 8.3.1.2', () => {
  const res = run(req('INVITE', { 'accept-contact': [ac('largemsg')] }, 'v=0'));
  assertDispatched(res, '8.3.1.2');
  assert.ok(branches(res).includes('DSP-2'));
  assert.equal(res.imdn, undefined);
});

test('DSP-3: INVITE with {deferred} goes to 8.3.1.6.3', () => {
  assertDispatched(run(req('INVITE', { 'accept-contact': [ac('deferred')] })), '8.3.1.6.3');
});

test('DSP-4: SUBSCRIBE with Event deferred-messages goes to 8.3.1.6.4 without an ICSI', () => {
  const res = run(req('SUBSCRIBE', { event: ['deferred-messages'] }));
  assertDispatched(res, '8.3.1.6.4');
  assert.deepEqual(branches(res), ['DSP-4']);
});

test('DSP-4b: Event token compared case-insensitively, params ignored (compact o form too)', () => {
  assertDispatched(run(req('SUBSCRIBE', { event: ['Deferred-Messages;id=7'] })), '8.3.1.6.4');
  assertDispatched(run(req('SUBSCRIBE', { o: ['DEFERRED-MESSAGES'] })), '8.3.1.6.4');
});

test('DSP-4c: SUBSCRIBE Event conference at the terminating PF is DSP-8 (403)', () => {
  assertRejected(run(req('SUBSCRIBE', { event: ['conference'] })));
});

test('DSP-5: INVITE with {session} goes to 8.3.2.1', () => {
  assertDispatched(run(req('INVITE', { 'accept-contact': [ac('session')] })), '8.3.2.1');
});

test('DSP-6: INVITE with {filetransfer} goes to 8.3.3.1', () => {
  assertDispatched(run(req('INVITE', { 'accept-contact': [ac('filetransfer')] })), '8.3.3.1');
});

test('DSP-7-1: chatbot.sa IARI mapped to INTERWORKING, DEFERRAL is skipped for a MESSAGE', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('msg'), `*;${CHATBOT_SA}`] }, 'x'), {
    iariSkipMap: { '+g.3gpp.iari-ref=urn:urn-7:3gpp-application.ims.iari.rcs.chatbot.sa': ['INTERWORKING', 'DEFERRAL'] },
  });
  assertDispatched(res, '8.3.1.1', ['INTERWORKING', 'DEFERRAL']);
  const d7 = res.decisions.find((d) => d.branch === 'DSP-7');
  assert.equal(d7?.outcome, 'SKIP');
});

test('DSP-7-2: +g.gsma.rcs.cpm.pager-large mapped to MESSAGE_STORE on a largemsg INVITE', () => {
  const res = run(req('INVITE', { 'accept-contact': [`${ac('largemsg')};+g.gsma.rcs.cpm.pager-large`] }), {
    iariSkipMap: { '+g.gsma.rcs.cpm.pager-large': ['MESSAGE_STORE'] },
  });
  assertDispatched(res, '8.3.1.2', ['MESSAGE_STORE']);
});

test('DSP-7-3: an extra string X mapped to BLACKLIST on a deferred INVITE', () => {
  const res = run(req('INVITE', { 'accept-contact': [`${ac('deferred')};+g.example.x`] }), { iariSkipMap: { '+g.example.x': ['BLACKLIST'] } });
  assertDispatched(res, '8.3.1.6.3', ['BLACKLIST']);
});

test('DSP-7-4: a deferred-messages SUBSCRIBE whose Accept-Contact holds X skips USER_PREFS', () => {
  const res = run(req('SUBSCRIBE', { event: ['deferred-messages'], 'accept-contact': ['*;+g.example.x'] }), {
    iariSkipMap: { '+g.example.x': ['USER_PREFS'] },
  });
  assertDispatched(res, '8.3.1.6.4', ['USER_PREFS']);
});

test('DSP-7-5: rcs.chatbot IARI mapped to INTERWORKING on a session INVITE', () => {
  const chatbot = '+g.3gpp.iari-ref=urn:urn-7:3gpp-application.ims.iari.rcs.chatbot';
  const res = run(req('INVITE', { 'accept-contact': [`${ac('session')};+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.chatbot"`] }), {
    iariSkipMap: { [chatbot]: ['INTERWORKING'], [`${chatbot}.sa`]: ['DEFERRAL'] },
  });
  assertDispatched(res, '8.3.2.1', ['INTERWORKING']);
});

test('DSP-7-6: rcs.fthttp IARI mapped to DEFERRAL on a filetransfer INVITE', () => {
  const res = run(req('INVITE', { 'accept-contact': [`${ac('filetransfer')};+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.rcs.fthttp"`] }), {
    iariSkipMap: { '+g.3gpp.iari-ref=urn:urn-7:3gpp-application.ims.iari.rcs.fthttp': ['DEFERRAL'] },
  });
  assertDispatched(res, '8.3.3.1', ['DEFERRAL']);
});

test('DSP-7-def: with the default empty map an IARI skips nothing', () => {
  const res = run(req('INVITE', { 'accept-contact': [`${ac('session')};${CHATBOT_SA}`] }));
  assertDispatched(res, '8.3.2.1', []);
  assert.equal(res.decisions.find((d) => d.branch === 'DSP-7')?.outcome, 'NO_SKIP');
});

test('DSP-0a: P-Asserted-Service filetransfer wins over Accept-Contact {session, filetransfer}', () => {
  const res = run(req('INVITE', {
    'accept-contact': [ac('session', 'filetransfer')],
    'p-asserted-service': ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.filetransfer'],
  }));
  assertDispatched(res, '8.3.3.1');
  // P-Asserted-Service alone decides, even against precedence
  const pas = run(req('INVITE', {
    'accept-contact': [ac('deferred', 'session')],
    'p-asserted-service': ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session'],
  }));
  assertDispatched(pas, '8.3.2.1');
});

test('DSP-0b: without P-Asserted-Service, filetransfer beats session by precedence', () => {
  const res = run(req('INVITE', { 'accept-contact': [ac('session', 'filetransfer')] }));
  assertDispatched(res, '8.3.3.1');
  assert.deepEqual(branches(res), ['DSP-0', 'DSP-6']);
});

test('DSP-0c: deferred beats session', () => {
  assertDispatched(run(req('INVITE', { 'accept-contact': [ac('session'), ac('deferred')] })), '8.3.1.6.3');
  assertDispatched(run(req('INVITE', { 'accept-contact': [ac('largemsg', 'filetransfer')] })), '8.3.1.2');
});

test('DSP-8a: MESSAGE with only {deferred} is rejected 403, nothing dispatched', () => {
  assertRejected(run(req('MESSAGE', { 'accept-contact': [ac('deferred')] }, 'x')));
});

test('DSP-8b: INVITE with only {msg} is rejected 403', () => {
  const res = run(req('INVITE', { 'accept-contact': [ac('msg')] }));
  assertRejected(res);
  assert.ok(!res.effects.some((e) => e.kind === 'DISPATCH'));
});

test('DSP-8c: INVITE without Accept-Contact is rejected 403 (also a malformed one)', () => {
  assertRejected(run(req('INVITE', {})));
  assertRejected(run(req('INVITE', { 'accept-contact': ['*;+g.3gpp.icsi-ref="broken'] })));
});

test('AC-1, DSP-1-msg: a malformed Accept-Contact value beside the msg ICSI does not turn the MESSAGE into a 403', () => {
  for (const lines of [['<sip:x@y>;+g.foo', ac('msg')], [`${ac('msg')}, *;+g.3gpp.iari-ref="open`], [`garbage, ${ac('msg')}`]]) {
    const res = run(req('MESSAGE', { 'accept-contact': lines, 'content-type': ['message/cpim'] }, CPIM_TEXT));
    assertDispatched(res, '8.3.1.1');
    const dsp0 = res.decisions.find((d) => d.branch === 'DSP-0');
    assert.deepEqual(dsp0?.inputs.acceptContactIcsis, ['msg']);
    assert.equal((dsp0?.inputs.acceptContactMalformed as unknown[]).length, 1, JSON.stringify(lines));
  }
});

test('DSP-8d: unmatchedRequestResponse=488 changes the code', () => {
  const res = run(req('INVITE', { 'accept-contact': [ac('msg')] }), { unmatchedRequestResponse: 488 });
  assertRejected(res, 488);
  const e = res.effects[0];
  assert.ok(e.kind === 'SEND_RESP' && e.reason === 'Not Acceptable Here');
});

test('DSP-8e: PROXY forwards to the next Route entry after the PF own one; no response, no dispatch', () => {
  const res = run(
    req('INVITE', { 'accept-contact': [ac('msg')], route: ['<sip:as-pf.alpha.example;lr>, <sip:scscf.alpha.example;lr>'] }),
    { unmatchedRequestAction: 'PROXY' },
  );
  assert.deepEqual(res.effects, [{ kind: 'FWD_REQ', toLeg: 'sip:scscf.alpha.example;lr' }]);
  assert.equal(res.handler, undefined);
  assert.equal(res.decisions.find((d) => d.branch === 'DSP-8')?.outcome, 'PROXY');
});

test('DSP-8f: PROXY with a configured next hop forwards a conference SUBSCRIBE unchanged', () => {
  const res = run(req('SUBSCRIBE', { event: ['conference'] }), {
    unmatchedRequestAction: 'PROXY',
    unmatchedNextHop: 'sip:scscf.alpha.example;lr',
  });
  assert.deepEqual(res.effects, [{ kind: 'FWD_REQ', toLeg: 'sip:scscf.alpha.example;lr' }]);
});

test('DSP-8g: PROXY with no next hop known falls back to REJECT 403', () => {
  const res = run(req('INVITE', { 'accept-contact': [ac('msg')], route: ['<sip:as-pf.alpha.example;lr>'] }), {
    unmatchedRequestAction: 'PROXY',
  });
  assertRejected(res);
});

test('DSP-9: MESSAGE with {systemmsg} falls to DSP-8 (403) with a DSP-9 decision', () => {
  const res = run(req('MESSAGE', { 'accept-contact': [ac('systemmsg')] }, 'x'));
  assertRejected(res);
  assert.deepEqual(branches(res), ['DSP-0', 'DSP-9', 'DSP-8']);
});

test('DSP-8: every decision names the DSP procedure and the call', () => {
  const res = run(req('OPTIONS', {}));
  assertRejected(res);
  for (const d of res.decisions) {
    assert.equal(d.procedure, 'DSP');
    assert.equal(d.callId, 'c1@x');
    assert.ok(d.summary.length > 20);
  }
});
