// STOP-1 (D-109): the graceful stop's BYEs are an engine decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { releaseOnStop, STOP_REASON } from './stop';
import { G3, leg } from './fixtures';
import type { LegState } from '../model';

test('STOP-1: every connected leg of a live session gets one BYE with the stop Reason, and the session is released', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom<LegState>('CONNECTED', 'TERMINATING', 'TERMINATED'), { minLength: 1, maxLength: 5 }), fc.constantFrom('ACTIVE' as const, 'REMAIN_DISCONNECTED' as const), (states, mode) => {
      const s = G3({ mode, legs: states.map((st, i) => leg(`l${i}`, i === 0 ? 'CF' : 'CLIENT', { state: st })) });
      const r = releaseOnStop(s);
      const byes = r.effects.filter((e) => e.kind === 'SEND_REQ' && e.method === 'BYE');
      const connected = s.legs.filter((l) => l.state === 'CONNECTED').map((l) => l.id);
      assert.deepEqual(byes.map((e) => (e.kind === 'SEND_REQ' ? e.leg : '')), connected);
      assert.ok(byes.every((e) => e.kind === 'SEND_REQ' && e.headers.Reason === STOP_REASON));
      assert.equal(r.session.mode, 'RELEASED');
      assert.ok(r.session.legs.every((l) => l.state === 'TERMINATED'));
      assert.ok(r.effects.some((e) => e.kind === 'SET_MODE' && e.mode === 'RELEASED'));
      assert.deepEqual(r.decisions.map((d) => [d.procedure, d.branch]), [['BYE', 'STOP-1']]);
    }),
  );
});

test('STOP-1: a session already released is left alone', () => {
  const r = releaseOnStop(G3({ mode: 'RELEASED' }));
  assert.deepEqual([r.effects, r.decisions], [[], []]);
});
