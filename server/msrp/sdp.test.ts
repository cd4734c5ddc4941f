import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsrpMedia, rewriteMsrpMedia, roleAnswering, roleOffering } from './sdp';

const OFFER = [
  'v=0', 'o=alice 2890844526 2890844527 IN IP4 client-a.example', 's= -', 'c=IN IP4 10.0.0.1', 't=0 0',
  'm=message 7394 TCP/MSRP *', 'a=accept-types:message/cpim text/plain', 'a=accept-wrapped-types:*',
  'a=path:msrp://10.0.0.1:7394/2s93i93idj;tcp', 'a=setup:actpass', '',
].join('\r\n');

test('reads the MSRP stream of an SDP body', () => {
  assert.deepEqual(readMsrpMedia(OFFER), {
    port: 7394, proto: 'TCP/MSRP', path: ['msrp://10.0.0.1:7394/2s93i93idj;tcp'], setup: 'actpass', address: '10.0.0.1',
    acceptTypes: 'message/cpim text/plain', acceptWrappedTypes: '*',
  });
  assert.equal(readMsrpMedia('v=0\r\nm=audio 4000 RTP/AVP 0\r\n'), undefined);
});

test("rewrites port, c=, a=path and a=setup to the PF's, keeping the rest", () => {
  const out = rewriteMsrpMedia(OFFER, { host: '192.0.2.5', port: 2855, path: 'msrp://192.0.2.5:2855/pfleg1;tcp', setup: 'passive' });
  const m = readMsrpMedia(out)!;
  assert.deepEqual([m.port, m.address, m.path, m.setup, m.acceptTypes], [2855, '192.0.2.5', ['msrp://192.0.2.5:2855/pfleg1;tcp'], 'passive', 'message/cpim text/plain']);
  assert.ok(out.includes('c=IN IP4 10.0.0.1'), 'the session-level c= stays');
  assert.ok(out.endsWith('\r\n'));
  const noSetup = rewriteMsrpMedia(OFFER.replace('a=setup:actpass\r\n', ''), { host: '192.0.2.5', port: 2855, path: 'msrp://x:1/y;tcp', setup: 'actpass' });
  assert.equal(readMsrpMedia(noSetup)!.setup, 'actpass');
});

test('connection roles (D-161)', () => {
  assert.deepEqual(roleAnswering(undefined), { pf: 'passive', answer: 'passive' });
  assert.deepEqual(roleAnswering('active'), { pf: 'passive', answer: 'passive' });
  assert.deepEqual(roleAnswering('actpass'), { pf: 'passive', answer: 'passive' });
  assert.deepEqual(roleAnswering('passive'), { pf: 'active', answer: 'active' });
  assert.equal(roleOffering(undefined), 'active');
  assert.equal(roleOffering('passive'), 'active');
  assert.equal(roleOffering('active'), 'passive');
});
