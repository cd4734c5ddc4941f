import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConferenceInfo } from './conference-info';
import { ALICE, BOB, E14, E15, GROUP } from '../participants/conf-fixtures';

test('PIN-N2: conference-info parse — E14 full document gives state, version, activity, subject and three users', () => {
  const r = parseConferenceInfo(E14);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.entity, GROUP);
  assert.equal(r.value.state, 'full');
  assert.equal(r.value.version, 1);
  assert.equal(r.value.active, true);
  assert.equal(r.value.userCount, 3);
  assert.equal(r.value.subject, 'Team lunch');
  assert.deepEqual(r.value.users?.map((u) => [u.entity, u.displayText, u.endpoints[0].status]), [
    [ALICE, 'Alice', 'connected'],
    [BOB, 'Bob', 'connected'],
    ['sip:+15551230003@ims.alpha.example', 'Carol', 'connected'],
  ]);
});

test('PIN-N2b: conference-info parse — E15 partial document without conference-state leaves active undefined', () => {
  const r = parseConferenceInfo(E15);
  assert.ok(r.ok);
  assert.equal(r.value.state, 'partial');
  assert.equal(r.value.version, 2);
  assert.equal(r.value.active, undefined);
  assert.deepEqual(r.value.users, [
    { entity: BOB, state: 'partial', endpoints: [{ entity: BOB, state: 'full', status: 'disconnected', disconnectionMethod: 'departed' }] },
  ]);
});

test('PIN-N2: conference-info parse — prefixed namespace works and foreign-namespace look-alikes are ignored', () => {
  const doc = `<ci:conference-info xmlns:ci="urn:ietf:params:xml:ns:conference-info" xmlns:x="urn:example" entity="${GROUP}" version="7" state="partial">
    <ci:conference-state><x:active>false</x:active><ci:active>1</ci:active></ci:conference-state>
    <ci:users><ci:user entity="${ALICE}" state="deleted"/><x:user entity="sip:evil@x"/></ci:users></ci:conference-info>`;
  const r = parseConferenceInfo(doc);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.active, true);
  assert.deepEqual(r.value.users, [{ entity: ALICE, state: 'deleted', endpoints: [] }]);
});

test('PIN-N9: conference-info parse — malformed XML, DOCTYPE, wrong root, missing version or entity are typed errors', () => {
  const cases: Array<[string, string]> = [
    ['<conference-info', 'XML_MALFORMED'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><conference-info/>', 'XML_DOCTYPE_REFUSED'],
    ['<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', 'NOT_CONFERENCE_INFO'],
    ['<conference-info xmlns="urn:other" entity="a" version="1"/>', 'NOT_CONFERENCE_INFO'],
    [`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${GROUP}"/>`, 'BAD_VERSION'],
    [`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${GROUP}" version="-1"/>`, 'BAD_VERSION'],
    ['<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" version="1"/>', 'MISSING_ENTITY'],
    [`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${GROUP}" version="1" state="half"/>`, 'BAD_STATE'],
  ];
  for (const [doc, code] of cases) {
    const r = parseConferenceInfo(doc);
    assert.equal(r.ok, false, doc);
    assert.equal(!r.ok && r.error.code, code, doc);
  }
});
