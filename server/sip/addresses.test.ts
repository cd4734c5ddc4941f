// The shell's name-addr helpers: a quoted display name may hold "<", ">", ";" and "," (RFC 3261
// §25.1), and the URI is the one in the angle brackets after it (issue 18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aorOf, parseNameAddr, splitList } from './addresses';

test('addresses: a quoted display name holding "<" does not hide the URI', () => {
  assert.deepEqual(parseNameAddr('"Bob <work>" <sip:bob@example.com>;tag=1'), { uri: 'sip:bob@example.com', params: 'tag=1' });
  assert.deepEqual(parseNameAddr('"a \\"<x>\\" b" <sip:a@example.com>'), { uri: 'sip:a@example.com', params: '' });
  assert.deepEqual(parseNameAddr('Bob <sip:bob@example.com>'), { uri: 'sip:bob@example.com', params: '' });
  assert.deepEqual(parseNameAddr('sip:bob@example.com;tag=2'), { uri: 'sip:bob@example.com', params: 'tag=2' });
  assert.equal(parseNameAddr('"open <sip:bob@example.com>'), undefined);
  assert.equal(aorOf(parseNameAddr('"Bob <work>" <sip:bob@Example.com>')!.uri), 'sip:bob@example.com');
  assert.deepEqual(splitList('"Bob <w>, x" <sip:b@x>, <sip:c@y>'), ['"Bob <w>, x" <sip:b@x>', '<sip:c@y>']);
});
