// D-333: the bench reads the kernel's UDP receive-buffer drops around each load run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rcvbufErrorsFrom, udpReceiveBufferDrops } from './udp-drops';

const SNMP = [
  'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens',
  'Tcp: 1 200 120000 -1 5',
  'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'Udp: 36421614 46581 120365 36589929 120371 0 0 0 0',
  'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'UdpLite: 0 0 0 0 0 0 0 0 0',
].join('\n');

test('D-333: RcvbufErrors is read from the Udp lines by its column name, not from UdpLite nor by position', () => {
  assert.equal(rcvbufErrorsFrom(SNMP), 120371);
  const moved = SNMP.replace('InErrors OutDatagrams RcvbufErrors', 'RcvbufErrors InErrors OutDatagrams').replace('120365 36589929 120371', '7 120365 36589929');
  assert.equal(rcvbufErrorsFrom(moved), 7);
});

test('D-333: a text without the counter gives null, not a number the bench would print', () => {
  assert.equal(rcvbufErrorsFrom(''), null);
  assert.equal(rcvbufErrorsFrom('Udp: InDatagrams NoPorts\nUdp: 1 2'), null);
  assert.equal(rcvbufErrorsFrom(SNMP.replace('120371', 'x')), null);
});

test('D-333: on Linux the machine\'s counter is read; elsewhere null', () => {
  const v = udpReceiveBufferDrops();
  if (process.platform === 'linux') assert.ok(typeof v === 'number' && v >= 0);
  else assert.equal(v, null);
});
