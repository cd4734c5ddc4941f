import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LegView } from '../../../server/live/events';
import { laterLeg } from './leg-order';

const leg = (state: string): LegView => ({ id: 'l1', sessionId: 's1', kind: 'CLIENT', device: null, callId: 'c1', state, reason: null, createdAt: '2026-01-01T00:00:00Z', releasedAt: null });

test('console: a snapshot older than a live leg event does not take the leg back to CONNECTED', () => {
  assert.equal(laterLeg(leg('TERMINATED'), leg('CONNECTED')).state, 'TERMINATED');
  assert.equal(laterLeg(leg('CONNECTED'), leg('TERMINATING')).state, 'TERMINATING');
  assert.equal(laterLeg(undefined, leg('CONNECTED')).state, 'CONNECTED');
});
