// HIST-1 (D-168): chat messages relayed over MSRP are recorded in the session-history folder when
// the user allows storage, with their direction; nothing else is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recordChat } from './record-chat';
import type { InterceptedItem } from '../bye/inputs';

const session = { id: 's1', servedUser: 'sip:alice@example.com', conversationId: 'conv-1', contributionId: 'contrib-1' };

test('HIST-1, HIST-1x: property: a chat message is stored exactly when allowStore, in conversation/contribution, with its direction and Message-ID; other kinds never', () => {
  fc.assert(fc.property(
    fc.boolean(), fc.constantFrom('sent' as const, 'received' as const), fc.constantFrom('CHAT' as const, 'IMDN' as const, 'IS_COMPOSING' as const), fc.option(fc.stringMatching(/^[a-z0-9]{1,12}$/), { nil: undefined }), fc.string(),
    (allowStore, direction, kind, messageId, body) => {
      const item: InterceptedItem = { kind, contentType: 'message/cpim', body, headers: {}, ...(messageId ? { messageId } : {}) };
      const r = recordChat({ session, prefs: { allowStore }, item, direction, now: 0 });
      const stored = r.effects.filter((e) => e.kind === 'RECORD_OBJECT');
      assert.equal(r.effects.length, stored.length, 'nothing but RECORD_OBJECT');
      if (kind !== 'CHAT' || !allowStore) {
        assert.equal(stored.length, 0);
        assert.deepEqual(r.decisions.map((d) => d.branch), kind === 'CHAT' ? ['HIST-1x'] : []);
        return;
      }
      assert.equal(stored.length, 1);
      const e = stored[0];
      assert.ok(e.kind === 'RECORD_OBJECT');
      assert.deepEqual(e.folder, { kind: 'SESSION_HISTORY', conversationId: 'conv-1', contributionId: 'contrib-1' });
      assert.match(r.decisions[0].summary, /conv-1\/contrib-1\./);
      assert.equal(e.object.headers['Message-Direction'], direction);
      assert.equal(e.object.body, body);
      assert.equal(e.object.imdnMessageId, messageId);
      assert.deepEqual(r.decisions.map((d) => [d.branch, d.outcome, d.procedure]), [['HIST-1', 'STORED', 'HIST']]);
    },
  ));
});
