import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkNotificationLoop, type LoopWindow } from './notification-loop';

test('LOOP-1: however notifications about one message arrive, at most limit pass per window, and the first drop in a window is explained once', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (gaps, limit) => {
      let window: LoopWindow | undefined;
      let now = 0;
      const passed = new Map<number, number>();
      const explained = new Map<number, number>();
      const dropped = new Map<number, number>();
      for (const gap of gaps) {
        now += gap;
        const r = checkNotificationLoop({ window, servedUser: 'sip:a@x', recipient: 'sip:b@x', messageId: 'm', now, limit, windowMs: 10_000 });
        window = r.window;
        if (r.allow) passed.set(window.since, (passed.get(window.since) ?? 0) + 1);
        else dropped.set(window.since, (dropped.get(window.since) ?? 0) + 1);
        explained.set(window.since, (explained.get(window.since) ?? 0) + r.decisions.length);
        assert.ok(r.allow || window.count === limit, 'a drop only once the limit is reached');
      }
      for (const n of passed.values()) assert.ok(n <= limit);
      for (const [since, n] of explained) assert.equal(n, dropped.has(since) ? 1 : 0, 'one explanation per window with drops, none without');
    }),
  );
});
