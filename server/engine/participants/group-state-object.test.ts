import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupStateObject, gsoParticipants, rfc3339, sessionHistoryFolder } from './group-state-object';
import type { ParticipantRoster, RosterUser } from '../model';

const ALICE = 'sip:+15551230001@ims.alpha.example';
const BOB = 'sip:+15551230002@ims.beta.example';
const CAROL = 'sip:+15551230003@ims.alpha.example';
const GROUP = 'sip:grp-7f3a91@cpm-cf.alpha.example';
// 2015-11-10T11:02:13Z, the E18 example time
const E18_TIME = Date.UTC(2015, 10, 10, 11, 2, 13);

function user(entity: string, displayText: string | undefined, eps: Array<[string, boolean, string?]>, state: RosterUser['state'] = 'full'): RosterUser {
  const endpoints: RosterUser['endpoints'] = {};
  eps.forEach(([status, leftWhileActive, method], i) => {
    const id = i === 0 ? entity : `${entity};ep=${i}`;
    endpoints[id] = { entity: id, status, leftWhileActive, ...(method ? { disconnectionMethod: method } : {}) };
  });
  return { ...(displayText === undefined ? {} : { displayText }), state, endpoints };
}

function roster(users: Record<string, RosterUser>, extra: Partial<ParticipantRoster> = {}): ParticipantRoster {
  return { version: 3, confActive: false, users, source: 'OWN_SUBSCRIPTION', ...extra };
}

const session = (participants: ParticipantRoster) => ({
  groupSessionIdentity: GROUP,
  participants,
  conversationId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  contributionId: 'abcdef12-3456-7890-abcd-ef0123456789',
  servedUser: ALICE,
});

test('GSO-1: an endpoint that left while the conference was active keeps its user out', () => {
  const r = roster({
    [ALICE]: user(ALICE, 'Alice', [['connected', false]]),
    [BOB]: user(BOB, 'Bob', [['disconnected', true, 'booted']]),
  });
  assert.deepEqual(gsoParticipants(r).map((p) => p.entity), [ALICE]);
});

test('GSO-2: a user whose endpoint failed (no leftWhileActive) stays in the snapshot', () => {
  const r = roster({
    [ALICE]: user(ALICE, 'Alice', [['connected', false]]),
    [CAROL]: user(CAROL, 'Carol', [['disconnected', false, 'failed']]),
  });
  assert.deepEqual(gsoParticipants(r).map((p) => p.entity), [ALICE, CAROL]);
});

test('GSO-3: a user with state=deleted is excluded', () => {
  const r = roster({
    [ALICE]: user(ALICE, 'Alice', [['connected', false]]),
    'sip:dave@x.example': user('sip:dave@x.example', 'Dave', [['connected', false]], 'deleted'),
  });
  assert.deepEqual(gsoParticipants(r).map((p) => p.entity), [ALICE]);
});

test('GSO-8: a user with one departed endpoint and one connected endpoint stays in', () => {
  const frank = 'sip:frank@ims.alpha.example';
  const r = roster({ [frank]: user(frank, 'Frank', [['disconnected', true, 'departed'], ['connected', false]]) });
  assert.deepEqual(gsoParticipants(r).map((p) => p.entity), [frank]);
  const gone = roster({ [frank]: user(frank, 'Frank', [['disconnected', true, 'departed'], ['disconnected', true, 'booted']]) });
  assert.deepEqual(gsoParticipants(gone), []);
});

test('PIN-N5: GSO object as in E18 — the writer produces the E18 object (headers, body, participants per AMB-19)', () => {
  const r = roster(
    {
      [ALICE]: user(ALICE, 'Alice', [['disconnected', false, 'booted']]),
      [BOB]: user(BOB, 'Bob', [['disconnected', true, 'departed']]),
      [CAROL]: user(CAROL, 'Carol', [['disconnected', false, 'booted']]),
    },
    { conferenceEntity: GROUP, subject: 'Team lunch' },
  );
  const obj = groupStateObject({ session: session(r), now: E18_TIME, newMessageId: 'GsoQ8w1Vt3' });
  assert.equal(obj.kind, 'GSO');
  assert.equal(obj.contentType, 'Application/group-state-object+xml');
  assert.equal(obj.imdnMessageId, 'GsoQ8w1Vt3');
  assert.deepEqual(obj.headers, {
    From: `<${ALICE}>`,
    To: `<${GROUP}>`,
    Date: 'Tue, 10 Nov 2015 11:02:13 +0000',
    Subject: 'Team lunch',
    'MIME-Version': '1.0',
    'Content-Type': 'Application/group-state-object+xml',
    'Content-Transfer-Encoding': '8bit',
    'Conversation-ID': 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'Contribution-ID': 'abcdef12-3456-7890-abcd-ef0123456789',
    'IMDN-Message-ID': 'GsoQ8w1Vt3',
    'Message-Direction': 'sent',
  });
  assert.equal(
    obj.body,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<groupstate timestamp="2015-11-10T11:02:13+00:00" lastfocussessionid="${GROUP}" group-type="Closed">`,
      `  <participant name="Alice" comm-addr="${ALICE}"/>`,
      `  <participant name="Carol" comm-addr="${CAROL}"/>`,
      '</groupstate>',
      '',
    ].join('\r\n'),
  );
});

test('PIN-N5: GSO group-type (AMB-14) — group-type comes from the session (AMB-14), focus falls back to the group identity', () => {
  const r = roster({ [ALICE]: user(ALICE, undefined, [['connected', false]]) });
  const obj = groupStateObject({ session: { ...session(r), groupType: 'Open' }, now: E18_TIME + 250, newMessageId: 'm2' });
  assert.match(obj.body, /group-type="Open"/);
  assert.match(obj.body, new RegExp(`lastfocussessionid="${GROUP}"`));
  assert.match(obj.body, /timestamp="2015-11-10T11:02:13\.250\+00:00"/);
  // no display text: no name attribute rather than an invented one
  assert.match(obj.body, new RegExp(`<participant comm-addr="${ALICE.replace(/[+.]/g, '\\$&')}"/>`));
  assert.equal(obj.headers.Subject, undefined);
});

test('PIN-N5: GSO escaping — attribute values are XML-escaped so a display name cannot break the body', () => {
  const r = roster({ [ALICE]: user(ALICE, 'A "x" <y> & z', [['connected', false]]) });
  const obj = groupStateObject({ session: session(r), now: E18_TIME, newMessageId: 'm3' });
  assert.match(obj.body, /name="A &quot;x&quot; &lt;y&gt; &amp; z"/);
});

test('PIN-N5c: GSO folder and ordering — the session history folder is conversation/contribution and timestamps order', () => {
  assert.deepEqual(sessionHistoryFolder({ conversationId: 'c', contributionId: 'd' }), { kind: 'SESSION_HISTORY', conversationId: 'c', contributionId: 'd' });
  assert.ok(rfc3339(E18_TIME + 1) > rfc3339(E18_TIME));
});
