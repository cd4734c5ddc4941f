// What the engine is told of a registered client: derived once per binding, shared, unchangeable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientRegistration } from './client-registration';
import type { Binding } from './registrar';

const binding = (featureTags: string): Binding => ({ aor: 'sip:alice@example.com', contact: 'sip:alice@192.0.2.1:5070', featureTags, source: 'udp/192.0.2.1:5070', expiresAt: 1e15 });

test('IMDN-DLV-1: a binding\'s ICSIs and imdn-aggregation are read once, and the result cannot be changed by a caller', () => {
  const b = binding(';+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg,urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session";imdn-aggregation');
  const r = clientRegistration(b);
  assert.deepEqual(r, { contact: b.contact, icsis: ['urn:urn-7:3gpp-service.ims.icsi.oma.cpm.msg', 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.session'], imdnAggregation: true, userAgent: undefined });
  assert.equal(clientRegistration(b), r, 'the same binding gives the same object');
  assert.throws(() => r.icsis.push('x'), TypeError);
  // a refresh is a new binding: read again
  assert.deepEqual(clientRegistration(binding('')), { contact: b.contact, icsis: [], imdnAggregation: false, userAgent: undefined });
});
