import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from './event';

test('DSP-4b: Event token is lower-cased and its params (id) are separated out', () => {
  const r = parseEvent('Deferred-Messages;id=7');
  assert.ok(r.ok);
  assert.equal(r.value.eventType, 'deferred-messages');
  assert.equal(r.value.id, '7');
  const c = parseEvent(' conference ');
  assert.ok(c.ok);
  assert.equal(c.value.eventType, 'conference');
  assert.equal(c.value.id, undefined);
});

test('DSP-4b: templates — package and template tokens are split on dots; LWS around params ok', () => {
  const r = parseEvent('presence.winfo ; id = "A b"');
  assert.ok(r.ok);
  assert.equal(r.value.package, 'presence');
  assert.deepEqual(r.value.templates, ['winfo']);
  assert.equal(r.value.id, 'A b');
});

test('DSP-4c: errors — empty, bad token and unterminated quotes are typed errors', () => {
  for (const [raw, code] of [
    [undefined, 'MISSING'],
    ['  ', 'MISSING'],
    ['confe rence', 'BAD_EVENT_TYPE'],
    ['a..b', 'BAD_EVENT_TYPE'],
    ['conference;id="x', 'UNTERMINATED_QUOTE'],
  ] as const) {
    const r = parseEvent(raw);
    assert.equal(r.ok, false, String(raw));
    assert.equal(!r.ok && r.error.code, code);
  }
});
