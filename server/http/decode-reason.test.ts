import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTART_REASON } from '../store/sessions';
import { decodeReason } from './decode-reason';

test('a SIP Reason is decoded with its phrase and text', () => {
  const r = decodeReason('SIP;cause=480;text="Temporarily Unavailable"');
  assert.equal(r?.meaning, 'SIP 480 Temporarily Unavailable');
  assert.equal(r?.text, 'Temporarily Unavailable');
});

test('RELEASE_CAUSE and Q.850 values are named; a missing header decodes to null', () => {
  assert.equal(decodeReason('RELEASE_CAUSE ;cause=1 ;text="User ends call"')?.meaning, 'RELEASE_CAUSE 1 user ends call');
  assert.equal(decodeReason('Q.850;cause=16')?.meaning, 'Q.850 16 normal call clearing');
  assert.equal(decodeReason(''), null);
  assert.equal(decodeReason('SIP;cause=abc')?.meaning, 'SIP, cause missing or not a number');
});

test('the PF’s own restart Reason reads as the PF closing the leg without SIP', () => {
  const r = decodeReason(RESTART_REASON);
  assert.equal(r?.protocol, 'PF');
  assert.equal(r?.meaning, 'closed by the PF itself, no SIP sent');
  assert.match(r?.text ?? '', /PF restarted/);
});
