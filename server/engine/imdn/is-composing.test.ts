import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpmSession } from '../model';
import { noteIsComposing } from './is-composing';

const S = (type: CpmSession['type'], extra: Partial<CpmSession> = {}): CpmSession => ({
  id: 'S',
  servedUser: 'sip:alice@example.com',
  type,
  conversationId: 'c',
  contributionId: 'k',
  legs: [],
  interworked: false,
  usesSessionHistoryFolder: false,
  mode: 'ACTIVE',
  interceptEnabled: false,
  participants: { version: 0, confActive: true, users: {}, source: 'NONE' },
  isComposingFrom: [],
  isComposingSentByServedClients: false,
  ...extra,
});

test('IMDN-RX-2a-iii-2, AMB-11: a wrapped isComposing from the peer side adds its normalised CPIM From', () => {
  const r = noteIsComposing({ session: S('GROUP'), fromServedSide: false, cpimFrom: '<sip:+15551230002@ims.beta.example;user=phone>' });
  assert.deepEqual(r.session.isComposingFrom, ['+15551230002']);
  assert.equal(r.decisions[0].outcome, 'ISCOMPOSING_NOTED');
  assert.deepEqual(noteIsComposing({ session: r.session, fromServedSide: false, cpimFrom: '<tel:+15551230002>' }).decisions, [], 'a repeat changes nothing and says nothing');
});

test('IMDN-RX-2a-iii-2, §12.6: without a CPIM wrapper, a 1-1 session attributes the isComposing to the peer user', () => {
  const r = noteIsComposing({ session: S('ONE_TO_ONE', { peerUser: 'sip:bob@net.example.net' }), fromServedSide: false });
  assert.deepEqual(r.session.isComposingFrom, ['sip:bob@net.example.net']);
  assert.equal(r.decisions[0].inputs.wrapped, false);
});

test('IMDN-RX-2a-iii-2, AMB-11: without a CPIM wrapper a group isComposing is not attributed', () => {
  const s = S('GROUP', { peerUser: 'sip:bob@net.example.net' });
  const r = noteIsComposing({ session: s, fromServedSide: false });
  assert.equal(r.session, s);
  assert.equal(r.decisions[0].outcome, 'ISCOMPOSING_UNATTRIBUTED');
});

test('IMDN-TX-2, AMB-11: an isComposing from the served side sets isComposingSentByServedClients only', () => {
  const r = noteIsComposing({ session: S('ONE_TO_ONE', { peerUser: 'sip:bob@net.example.net' }), fromServedSide: true });
  assert.equal(r.session.isComposingSentByServedClients, true);
  assert.deepEqual(r.session.isComposingFrom, []);
});
