// D-261: the deferred queue's idempotency key of a session's items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DeferredItem } from '../engine/effects';
import { deferKey } from './effect-runner';

const item = (kind: DeferredItem['kind'], messageId?: string): DeferredItem => ({ kind, servedUser: 'sip:alice@example.com', contentType: 'message/cpim', body: 'x', headers: {}, ...(messageId ? { messageId } : {}) });

test('D-261: a session item with a Message-ID has one key whatever step or position carried it; without one, each step keys its own', () => {
  fc.assert(
    fc.property(fc.constantFrom<DeferredItem['kind']>('CHAT_MESSAGE', 'IMDN'), fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }), fc.nat(50), fc.nat(50), fc.nat(3), fc.nat(3), (kind, id, step1, step2, n1, n2) => {
      const a = deferKey(item(kind, id), { sourceKey: `session:S@${step1}`, session: { id: 'S' } }, n1);
      const b = deferKey(item(kind, id), { sourceKey: `session:S@${step2}`, session: { id: 'S' } }, n2);
      if (id) assert.equal(a, b);
      else assert.equal(a === b, step1 === step2 && n1 === n2);
      // another session, or another kind, is another item
      if (id) assert.notEqual(a, deferKey(item(kind, id), { sourceKey: 'session:T@1', session: { id: 'T' } }, n1));
      if (id) assert.notEqual(a, deferKey(item(kind === 'IMDN' ? 'CHAT_MESSAGE' : 'IMDN', id), { sourceKey: 'x', session: { id: 'S' } }, n1));
    }),
  );
});

test('D-261: outside a session the key is the request transaction and position (a retransmission queues nothing twice)', () => {
  assert.equal(deferKey(item('IMDN', 'm1'), { sourceKey: 'call|1 MESSAGE' }, 0), 'call|1 MESSAGE#0');
});
